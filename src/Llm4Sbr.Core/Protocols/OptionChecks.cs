using LanguageExt;

namespace Llm4Sbr.Core.Protocols;

internal static class OptionChecks
{
    /// <summary>The protocol stages return plain records, so options they are given must already be
    /// valid: an invalid one here is a caller bug, reported with the validation message.</summary>
    public static void ThrowIfInvalidOption<T>(this Fin<T> validated, string parameter) =>
        validated.IfFail(error => throw new ArgumentException(error.Message, parameter));
}
