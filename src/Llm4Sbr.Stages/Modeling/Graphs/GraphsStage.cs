using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using Llm4Sbr.Stages.Modeling.Train;
using Llm4Sbr.Training.Graphs;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Modeling.Graphs;

/// <summary>The global graph's settings as the stage's key holds them.</summary>
public sealed record GlobalGraphConfig(int Epsilon, int SampleNum, long Seed);

/// <summary>Configuration of <c>graphs</c>: the parts a listed model needs, with their settings; a part
/// no listed model needs is null/false, so it is neither built nor in the key.</summary>
public sealed record GraphsConfig(GlobalGraphConfig? Global, bool Hypergraph)
{
    public GraphsOptions Options => new(Global is { } g ? new GlobalGraphOptions(g.Epsilon, g.SampleNum, (ulong)g.Seed) : null, Hypergraph);
}

/// <summary>The <c>graphs</c> stage: the training-wide graphs of the backbones that need one, from the
/// training part only (<see cref="TrainingPartStage"/>: training sessions for GCE-GNN's global graph,
/// training samples' prefixes for DHCN's hypergraph; never a test session), in item ids. It keys on
/// <c>training-part</c>'s output, not its key, so adding test sessions leaves its key and output as they were. <c>train</c> plans it only when a listed model's
/// backbone declares <see cref="Training.Models.BackboneEntry.Needs"/>, and it builds only the parts those
/// models need.
/// <code>
/// graphs:          # optional; read only when a listed model needs the global graph
///   epsilon: 3     # co-occurrence window (official 3)
///   sample_num: 12 # neighbours kept and sampled per item (official 12)
///   seed: 42       # the neighbour sample's seed
/// </code></summary>
public sealed class GraphsStage(ModelingOverrides? overrides = null) : IStageModule
{
    public const string Name = "graphs";
    public static readonly StageInput<TrainingGraphs> Output = new(Name);
    public static readonly string Version = $"1+graphs{TrainingGraphs.Version}";

    public string Stage => Name;
    public ImmutableArray<string> Sections => [Name];

    public Validation<Error, IStage> Build(PipelineSections sections, PipelineContext context)
    {
        var needs = TrainStage.ListedGraphNeeds(sections, overrides);
        return sections[Name].Read(r => new GlobalGraphConfig(
                r.Int("epsilon", 3, min: 1, max: 100),
                r.Int("sample_num", 12, min: 1, max: 1000),
                r.Long("seed", 42, min: 0)))
            .Map(global => (IStage)Engine.Stages.Stage.Pure(Name, Version,
                new GraphsConfig(needs.HasFlag(GraphNeeds.GlobalItemGraph) ? global : null, needs.HasFlag(GraphNeeds.ItemHypergraph)),
                TrainingGraphsCodec.Instance,
                [TrainingPartStage.Output],
                (c, inputs, _) => Run(inputs.Get(TrainingPartStage.Output), c)));
    }

    /// <summary>Pure: the graphs of the training part.</summary>
    public static Fin<TrainingGraphs> Run(TrainingPart training, GraphsConfig config) =>
        TrainingGraphs.Build(training.Sessions, training.Samples, config.Options);
}
