using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Engine.Memo;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Engine.Runs;
using Microsoft.Extensions.Logging;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Cli.Commands;

/// <summary>A pipeline opened for a command: its definition, and where its cache and run
/// outputs live (<c>--cache</c>, else <c>LLM4SBR_CACHE</c>, else <c>.cache/</c> under the
/// repository root; <c>--out</c>, else <c>runs/PIPELINE/</c> under the repository root).</summary>
public sealed record PipelineWorkspace(PipelineDefinition Pipeline, string CacheRoot, string OutputDirectory)
{
    public const string CacheVariable = "LLM4SBR_CACHE";

    public static Fin<PipelineWorkspace> Open(string pipeline, string? cache, string? output, CliHost host, StageCatalog catalog,
        PipelineOverrides? overrides = null)
    {
        var source = PipelineLocator.Resolve(pipeline, host.WorkingDirectory, host.ApplicationDirectory);
        if (source.IsFail) return FinFail<PipelineWorkspace>((Error)source);
        var definition = PipelineLoader.LoadFile((PipelineSource)source, catalog, overrides)
            .Match(FinSucc, errors => FinFail<PipelineDefinition>(errors.Count == 1 ? errors.Head : Error.Many(errors)));
        return definition.Map(d => new PipelineWorkspace(
            d,
            Absolute(cache ?? NonEmpty(host.GetEnvironmentVariable(CacheVariable)) ?? Path.Combine(d.Source.RepoRoot, ".cache"), host),
            Absolute(output ?? Path.Combine(d.Source.RepoRoot, "runs", d.Name), host)));
    }

    public MemoStore Store(ILogger logger) => new(CacheRoot, logger, TimeProvider.System);
    public RunOutputs Outputs(ILogger logger) => new(OutputDirectory, logger, TimeProvider.System);

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
    static string Absolute(string path, CliHost host) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(host.WorkingDirectory, path));
}
