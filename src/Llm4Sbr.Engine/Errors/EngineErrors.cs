using LanguageExt.Common;

namespace Llm4Sbr.Engine.Errors;

/// <summary>The one place that holds the engine's error codes and message shapes. Every error the
/// engine returns as a value is made here, so codes stay unique and messages stay uniform:
/// <c>FILE: KEY.PATH: what is wrong (line N)</c> for pipeline files, <c>stage 'x': ...</c> for runs.</summary>
public static class EngineErrors
{
    // Pipeline files (1xx).
    public const int PipelineNotFoundCode = 101;
    public const int PipelineSyntaxCode = 102;
    public const int UnknownKeyCode = 103;
    public const int NotOneOfCode = 104;
    public const int MissingKeyCode = 105;
    public const int WrongTypeCode = 106;
    public const int OutOfRangeCode = 107;
    public const int InvalidValueCode = 108;
    public const int SourceFileMissingCode = 109;

    // Graphs (2xx).
    public const int UnknownStageCode = 201;
    public const int GraphInvalidCode = 202;

    // Runs (3xx).
    public const int StageFailedCode = 301;
    public const int UpstreamFailedCode = 302;
    public const int CanceledCode = 303;
    public const int CacheCorruptCode = 304;
    public const int OutputUnavailableCode = 305;

    // Parquet (4xx).
    public const int ParquetSchemaCode = 401;

    /// <summary>Where in a pipeline file a value sits: the file as shown to the user, the dotted key
    /// path (empty for the document itself) and the 1-based line when known.</summary>
    public sealed record ConfigLocation(string File, string KeyPath, long? Line)
    {
        public override string ToString() =>
            (KeyPath.Length == 0 ? File : $"{File}: {KeyPath}");
        public string Suffix => Line is { } l ? $" (line {l})" : "";
    }

    static Error At(int code, ConfigLocation at, string message) =>
        Error.New(code, Visible($"{at}: {message}{at.Suffix}"));

    /// <summary><paramref name="text"/> with characters a terminal does not show (a byte-order mark
    /// inside a file, zero-width and control characters) written as their code point, so a message
    /// about a value that looks right says what is wrong with it.</summary>
    public static string Visible(string text)
    {
        if (!text.Any(Invisible)) return text;
        var shown = new System.Text.StringBuilder(text.Length + 32);
        foreach (var c in text)
            if (c == '\uFEFF') shown.Append("U+FEFF (byte-order mark)");
            else if (Invisible(c)) shown.Append($"U+{(int)c:X4}");
            else shown.Append(c);
        return shown.ToString();
    }

    static bool Invisible(char c) =>
        c != '\n' && c != '\t' && (char.IsControl(c) || System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);

    public static Error PipelineNotFound(string requested, IEnumerable<string> searched, IEnumerable<string> available)
    {
        var names = available.ToList();
        var hint = names.Count == 0 ? "no pipelines were found there" : $"available pipelines: {string.Join(", ", names)}";
        return Error.New(PipelineNotFoundCode,
            $"pipeline '{requested}' not found (looked in {string.Join(", ", searched)}); {hint}");
    }

    public static Error PipelineSyntax(string file, long? line, string message) =>
        Error.New(PipelineSyntaxCode, Visible($"{file}: not valid YAML: {message}{(line is { } l ? $" (line {l})" : "")}"));

    public static Error UnknownKey(ConfigLocation at, IEnumerable<string> validKeys, string what = "key") =>
        At(UnknownKeyCode, at, $"unknown {what}; valid {what}s are {JoinOrNone(validKeys)}");

    public static Error NotOneOf(ConfigLocation at, string value, IEnumerable<string> options) =>
        At(NotOneOfCode, at, $"'{value}' is not one of {string.Join(", ", options)}");

    public static Error MissingKey(ConfigLocation at, string expected) =>
        At(MissingKeyCode, at, $"missing; expected {expected}");

    public static Error WrongType(ConfigLocation at, string found, string expected) =>
        At(WrongTypeCode, at, $"{found} is not {expected}");

    public static Error OutOfRange(ConfigLocation at, string value, string range) =>
        At(OutOfRangeCode, at, $"{value} is out of range; expected {range}");

    public static Error InvalidValue(ConfigLocation at, string message) =>
        At(InvalidValueCode, at, message);

    public static Error SourceFileMissing(ConfigLocation at, string path, string? hint) =>
        At(SourceFileMissingCode, at, $"file not found: {path}{(hint is null ? "" : $". {hint}")}");

    public static Error UnknownStage(string option, string stage, IEnumerable<string> stages) =>
        Error.New(UnknownStageCode, $"{option}: unknown stage '{stage}'; stages of this pipeline are {JoinOrNone(stages)}");

    public static Error GraphInvalid(string pipeline, string message) =>
        Error.New(GraphInvalidCode, $"pipeline '{pipeline}': {message}");

    public static Error StageFailed(string stage, string reason) =>
        Error.New(StageFailedCode, $"stage '{stage}' failed: {reason}");

    public static Error UpstreamFailed(string stage, IEnumerable<string> upstream) =>
        Error.New(UpstreamFailedCode, $"stage '{stage}' did not run because its input {string.Join(", ", upstream.Select(u => $"'{u}'"))} failed");

    public static Error Canceled(string stage) =>
        Error.New(CanceledCode, $"stage '{stage}' was canceled");

    public static Error CacheCorrupt(string stage, string keyPrefix, string reason) =>
        Error.New(CacheCorruptCode, $"cache entry {keyPrefix} of stage '{stage}' is corrupt: {reason}");

    public static Error OutputUnavailable(string stage, string reason) =>
        Error.New(OutputUnavailableCode, $"output of stage '{stage}' is not available: {reason}");

    public static Error ParquetSchema(string file, string message) =>
        Error.New(ParquetSchemaCode, $"{file}: {message}");

    static string JoinOrNone(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count == 0 ? "(none)" : string.Join(", ", list);
    }
}
