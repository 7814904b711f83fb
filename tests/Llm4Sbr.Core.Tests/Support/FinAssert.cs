using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Errors;
using Xunit.Sdk;

namespace Llm4Sbr.Core.Tests.Support;

/// <summary>Unwraps <see cref="Fin{A}"/> results in tests, failing with the error's message.</summary>
public static class FinAssert
{
    public static T Succ<T>(Fin<T> result) =>
        result.Match(Succ: value => value, Fail: error => throw new XunitException($"expected success, got error: {error.Message}"));

    public static Error Fail<T>(Fin<T> result) =>
        result.Match(Succ: value => throw new XunitException($"expected an error, got {value}"), Fail: error => error);

    /// <summary>Expects a rejected line and checks where it points.</summary>
    public static LineError LineFail<T>(Fin<T> result, string file, long line, string field, string reason)
    {
        var error = Fail(result);
        var lineError = Xunit.Assert.IsType<LineError>(error);
        Xunit.Assert.Equal(file, lineError.Issue.File);
        Xunit.Assert.Equal(line, lineError.Issue.Line);
        Xunit.Assert.Equal(field, lineError.Issue.Field);
        Xunit.Assert.Equal(reason, lineError.Reason);
        Xunit.Assert.Contains(file, lineError.Message);
        Xunit.Assert.Contains($":{line}:", lineError.Message);
        Xunit.Assert.Contains($"'{field}'", lineError.Message);
        return lineError;
    }
}
