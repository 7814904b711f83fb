using LanguageExt;
using LanguageExt.Common;

namespace Llm4Sbr.Core.Errors;

/// <summary>A failure told where it happened: "model 'x': ..." rather than the bare message of a
/// step deep inside.</summary>
public static class FinContext
{
    /// <summary>The failure of <paramref name="fin"/>, if any, as a new error whose message is
    /// <c>"{prefix}: {message}"</c>; a success is left as it is.</summary>
    public static Fin<A> Prefixed<A>(this Fin<A> fin, string prefix) =>
        fin.BiMap(value => value, error => Error.New($"{prefix}: {error.Message}"));
}
