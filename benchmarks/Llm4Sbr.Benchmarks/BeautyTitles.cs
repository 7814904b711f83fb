using System.Text;

namespace Llm4Sbr.Benchmarks;

/// <summary>The titles of <c>items.csv</c> (<c>item_id,asin,title</c>, RFC 4180 quoting), in file order.</summary>
internal static class BeautyTitles
{
    public const string DefaultPath = "data/amazon-beauty/items.csv";

    public static IReadOnlyList<string> Read(string path)
    {
        var titles = new List<string>();
        foreach (var record in Records(File.ReadAllText(path)).Skip(1))
            titles.Add(record.Count >= 3 ? record[2] : "");
        return titles;
    }

    private static IEnumerable<List<string>> Records(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\n' || c == '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                fields.Add(field.ToString()); field.Clear();
                yield return fields;
                fields = [];
            }
            else field.Append(c);
        }
        if (field.Length > 0 || fields.Count > 0) { fields.Add(field.ToString()); yield return fields; }
    }
}
