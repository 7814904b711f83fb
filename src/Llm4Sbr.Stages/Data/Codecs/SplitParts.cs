using LanguageExt;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Engine.Errors;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Data.Codecs;

/// <summary>The <c>part</c> column: <c>train</c> or <c>test</c>, as strings so that SQL on the
/// files reads naturally (<c>where part = 'test'</c>).</summary>
internal static class SplitParts
{
    public const string Train = "train";
    public const string Test = "test";

    public static string Name(SplitPart part) => part == SplitPart.Train ? Train : Test;

    /// <summary>Row indices of each part, in file order; an unknown value is a schema error.</summary>
    public static Fin<(List<int> Train, List<int> Test)> Rows(string[] parts, string path)
    {
        var (train, test) = (new List<int>(), new List<int>());
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i] == Train) train.Add(i);
            else if (parts[i] == Test) test.Add(i);
            else return FinFail<(List<int>, List<int>)>(EngineErrors.ParquetSchema(path,
                $"row {i}: part '{parts[i]}' is not one of {Train}, {Test}"));
        }
        return FinSucc((train, test));
    }
}
