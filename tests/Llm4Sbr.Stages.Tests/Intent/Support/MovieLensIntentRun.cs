using Llm4Sbr.Core.Loading;
using Llm4Sbr.Core.Protocols;
using Llm4Sbr.Engine.Dataflow;
using Llm4Sbr.Stages.Intent.Embed;
using Llm4Sbr.Stages.Intent.Infer;
using Llm4Sbr.Stages.Intent.Localize;
using Llm4Sbr.Stages.Intent.Prompts;
using Llm4Sbr.Stages.Intent.Titles;

namespace Llm4Sbr.Stages.Tests.Intent.Support;

/// <summary>One cold run of the bundled MovieLens-small pipeline, load..localize, with the offline
/// engine and the real MiniLM encoder, into a throw-away cache; the tests of the collection reuse it
/// (and its caches) for reruns.</summary>
public sealed class MovieLensIntentRun : IAsyncLifetime
{
    public const string Pipeline = "movielens-small";

    public IntentWorkspace Workspace { get; } = new();
    public RunResult Cold { get; private set; } = null!;
    public LoadedData Loaded { get; private set; } = null!;
    public SessionSet Sessions { get; private set; } = null!;
    public SampleSet Samples { get; private set; } = null!;
    public TitleEmbeddings Titles { get; private set; } = null!;
    public PromptSet Prompts { get; private set; } = null!;
    public AnswerSet Answers { get; private set; } = null!;
    public AnswerEmbeddings Embeddings { get; private set; } = null!;
    public ViewEmbeddings Localized { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cold = await Workspace.RunAsync(Pipeline);
        Cold.Succeeded();
        Loaded = await Cold.Output<LoadedData>("load");
        Sessions = await Cold.Output<SessionSet>("sessions");
        Samples = await Cold.Output<SampleSet>("samples");
        Titles = await Cold.Output<TitleEmbeddings>(TitlesStage.Name);
        Prompts = await Cold.Output<PromptSet>(PromptsStage.Name);
        Answers = await Cold.Output<AnswerSet>(InferStage.Name);
        Embeddings = await Cold.Output<AnswerEmbeddings>(EmbedStage.Name);
        Localized = await Cold.Output<ViewEmbeddings>(LocalizeStage.Name);
    }

    public Task DisposeAsync()
    {
        Workspace.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class MovieLensIntentCollection : ICollectionFixture<MovieLensIntentRun>
{
    public const string Name = "movielens-small intent run";
}
