using System.Globalization;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Host.Refresh;

/// <summary>The <c>Refresh</c> configuration section (appsettings.json, <c>Refresh__*</c> environment
/// variables or <c>--Refresh:Key=value</c> arguments). <see cref="Until"/> is the last stage refreshed:
/// <c>localize</c> covers every inference cache (title embeddings, prompts, LLM answers, answer
/// embeddings, localized views); the memo store reruns only what changed, and the LLM response cache
/// sends only prompts never answered. <see cref="RepositoryRoot"/> is where <c>pipelines/</c> and
/// <c>data/</c> are (default: the working directory); <see cref="CacheRoot"/> the cache folder (default:
/// <c>$LLM4SBR_CACHE</c>, else <c>.cache/</c> there), the same one <c>llm4sbr run</c> uses, so the next
/// run finds everything cached.</summary>
public sealed class RefreshOptions
{
    public const string Section = "Refresh";

    public List<string> Pipelines { get; set; } = [];
    public string TimeOfDayUtc { get; set; } = "02:00";
    public string Until { get; set; } = "localize";
    public bool RunOnStart { get; set; }
    public string? RepositoryRoot { get; set; }
    public string? CacheRoot { get; set; }

    /// <summary>The options checked, with errors naming the configuration key; the cache root resolved
    /// once (<see cref="CacheRoot"/>, else <c>LLM4SBR_CACHE</c> from <paramref name="environment"/>, else
    /// <c>.cache/</c> in the repository), so the caches and the status file share it.</summary>
    public Fin<RefreshSettings> Validate(string workingDirectory, Func<string, string?>? environment = null)
    {
        var errors = new List<string>();
        if (Pipelines.Count == 0 || Pipelines.Any(string.IsNullOrWhiteSpace))
            errors.Add($"{Section}:Pipelines: give at least one pipeline (a name in pipelines/ or a file), e.g. [\"movielens-small\"]");
        if (!TimeSpan.TryParseExact(TimeOfDayUtc, ["hh\\:mm", "hh\\:mm\\:ss"], CultureInfo.InvariantCulture, out var time) || time >= TimeSpan.FromDays(1))
            errors.Add($"{Section}:TimeOfDayUtc: '{TimeOfDayUtc}' is not a time of day (HH:mm or HH:mm:ss, UTC), e.g. \"02:00\"");
        if (string.IsNullOrWhiteSpace(Until))
            errors.Add($"{Section}:Until: give the last stage to refresh, e.g. \"localize\"");
        if (errors.Count > 0) return FinFail<RefreshSettings>(Error.New(string.Join("; ", errors)));
        var root = Path.GetFullPath(RepositoryRoot ?? workingDirectory, workingDirectory);
        var fromEnvironment = (environment ?? Environment.GetEnvironmentVariable)(Stages.Intent.IntentServices.CacheVariable);
        var cache = CacheRoot ?? (string.IsNullOrEmpty(fromEnvironment) ? null : fromEnvironment);
        return FinSucc(new RefreshSettings([.. Pipelines], time, Until, RunOnStart, root,
            cache is null ? Path.Combine(root, ".cache") : Path.GetFullPath(cache, root)));
    }
}

/// <summary>Checked refresh settings.</summary>
public sealed record RefreshSettings(
    IReadOnlyList<string> Pipelines, TimeSpan TimeOfDayUtc, string Until, bool RunOnStart, string RepositoryRoot, string CacheRoot);
