using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Stages;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Engine.Graph;

/// <summary>Pure checks and walks over a pipeline's stage graph.</summary>
public static class PipelineGraph
{
    /// <summary>Checks that every input names a stage of the pipeline that produces the declared
    /// type, and that there is no cycle; returns the stages in dependency order (ties in
    /// catalogue order).</summary>
    public static Validation<Error, ImmutableArray<IStage>> Order(PipelineDefinition pipeline)
    {
        var byName = pipeline.Stages.ToDictionary(s => s.Name);
        var errors = new List<Error>();
        foreach (var stage in pipeline.Stages)
            foreach (var input in stage.Inputs)
            {
                if (!byName.TryGetValue(input.Stage, out var source))
                    errors.Add(EngineErrors.GraphInvalid(pipeline.Name,
                        $"stage '{stage.Name}' reads '{input.Stage}', which is not a stage of this pipeline ({string.Join(", ", byName.Keys)})"));
                else if (!input.OutputType.IsAssignableFrom(source.OutputType))
                    errors.Add(EngineErrors.GraphInvalid(pipeline.Name,
                        $"stage '{stage.Name}' reads '{input.Stage}' as {input.OutputType.Name}, but it produces {source.OutputType.Name}"));
            }
        if (errors.Count > 0) return Fail<Error, ImmutableArray<IStage>>(errors.ToSeq());

        var ordered = ImmutableArray.CreateBuilder<IStage>();
        var done = new System.Collections.Generic.HashSet<string>();
        var remaining = pipeline.Stages.ToList();
        while (remaining.Count > 0)
        {
            var ready = remaining.FirstOrDefault(s => s.Inputs.All(i => done.Contains(i.Stage)));
            if (ready is null)
                return Fail<Error, ImmutableArray<IStage>>(EngineErrors.GraphInvalid(pipeline.Name,
                    $"stages {string.Join(", ", remaining.Select(s => s.Name))} depend on each other in a cycle"));
            ordered.Add(ready);
            done.Add(ready.Name);
            remaining.Remove(ready);
        }
        return Success<Error, ImmutableArray<IStage>>(ordered.ToImmutable());
    }

    /// <summary>The stage and everything it reads, transitively.</summary>
    public static ImmutableHashSet<string> Ancestors(IReadOnlyList<IStage> stages, string stage)
    {
        var byName = stages.ToDictionary(s => s.Name);
        var result = ImmutableHashSet.CreateBuilder<string>();
        var stack = new Stack<string>([stage]);
        while (stack.Count > 0)
        {
            var name = stack.Pop();
            if (!result.Add(name)) continue;
            foreach (var input in byName[name].Inputs) stack.Push(input.Stage);
        }
        return result.ToImmutable();
    }

    /// <summary>The stage and everything that reads it, transitively.</summary>
    public static ImmutableHashSet<string> Descendants(IReadOnlyList<IStage> stages, string stage)
    {
        var result = ImmutableHashSet.CreateBuilder<string>();
        var stack = new Stack<string>([stage]);
        while (stack.Count > 0)
        {
            var name = stack.Pop();
            if (!result.Add(name)) continue;
            foreach (var reader in stages.Where(s => s.Inputs.Any(i => i.Stage == name))) stack.Push(reader.Name);
        }
        return result.ToImmutable();
    }
}
