using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Engine.Errors;

/// <summary>Validation (which collects every error) as Fin (which stops at the first), for flows that
/// compose with LINQ over Fin: several errors become one <see cref="Error.Many(Error[])"/>.</summary>
public static class ValidationExtensions
{
    public static Fin<A> ToFin<A>(this Validation<Error, A> validation) =>
        validation.Match(FinSucc, errors => FinFail<A>(Combined(errors)));

    /// <summary>Collected errors as one: the error itself when there is one, else <see cref="Error.Many(Error[])"/>.</summary>
    public static Error Combined(Seq<Error> errors) => errors.Count == 1 ? errors.Head : Error.Many(errors);
}
