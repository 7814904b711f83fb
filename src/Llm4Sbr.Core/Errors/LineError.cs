using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Loading;

namespace Llm4Sbr.Core.Errors;

/// <summary>A rejected input line as an error value: <see cref="Issue"/> names the file, the
/// 1-based line and the field; <see cref="Reason"/> is one of <see cref="SkipReasons"/>.
/// Callers that need the location match on this type; others just print <c>Message</c>.</summary>
public sealed record LineError : Expected
{
    public LineError(LineIssue issue, string reason, int code = ErrorCodes.BadLine)
        : base(issue.ToString(), code, Option<Error>.None)
    {
        Issue = issue;
        Reason = reason;
    }

    public LineIssue Issue { get; }
    public string Reason { get; }
}
