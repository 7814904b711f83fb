using System.Text;
using Llm4Sbr.Engine.Stages;

namespace Llm4Sbr.Engine.Parquet;

/// <summary>Markdown documentation of the files stages write, generated from their codecs (the
/// engine README's schema section is this text; a test keeps them equal).</summary>
public static class SchemaDocs
{
    public static string Markdown(IEnumerable<(string Stage, IStageCodec Codec)> stages)
    {
        var text = new StringBuilder();
        foreach (var (stage, codec) in stages)
        {
            text.Append($"### `{stage}` (codec `{codec.Id}`)\n\n");
            foreach (var table in codec.Tables) text.Append(table.ToMarkdown()).Append('\n');
        }
        return text.ToString();
    }
}
