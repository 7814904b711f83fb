using LanguageExt;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Graph;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Runs;
using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Cli.Commands;

/// <summary>A pipeline opened for a command: its definition, and where its cache and run
/// outputs live (<c>--cache</c>, else <c>LLM4SBR_CACHE</c>, else <c>.cache/</c> under the
/// repository root; <c>--out</c>, else <c>runs/PIPELINE/</c> under the repository root).</summary>
public sealed record PipelineWorkspace(PipelineDefinition Pipeline, string CacheRoot, string OutputDirectory)
{
    public const string CacheVariable = "LLM4SBR_CACHE";

    public static Fin<PipelineWorkspace> Open(string pipeline, string? cache, string? output, CliHost host, StageCatalog catalog,
        PipelineOverrides? overrides = null) =>
        from source in PipelineLocator.Resolve(pipeline, host.WorkingDirectory, host.ApplicationDirectory)
        from definition in PipelineLoader.LoadFile(source, catalog, overrides).ToFin()
        select new PipelineWorkspace(
            definition,
            Absolute(cache ?? NonEmpty(host.GetEnvironmentVariable(CacheVariable)) ?? Path.Combine(definition.Source.RepoRoot, ".cache"), host),
            Absolute(output ?? Path.Combine(definition.Source.RepoRoot, "runs", definition.Name), host));

    /// <summary>The stages to run for <paramref name="options"/>, with their memo keys (source files hashed).</summary>
    public Task<Fin<PipelinePlan>> PlanAsync(PlanOptions options, CancellationToken ct) =>
        PipelinePlanner.PlanAsync(Pipeline, options, new FileFingerprints(), ct);

    public MemoStore Store(ILogger logger) => new(CacheRoot, logger, TimeProvider.System);
    public RunOutputs Outputs(ILogger logger) => new(OutputDirectory, logger, TimeProvider.System);

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
    static string Absolute(string path, CliHost host) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(host.WorkingDirectory, path));
}
