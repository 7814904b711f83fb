using System.Collections.Immutable;
using System.Globalization;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Stages.Experiments;

/// <summary>One figure the paper published (in %): its table, our dataset name, the paper's column name,
/// our model name and metric key.</summary>
public sealed record PaperFigure(string Table, string Dataset, string PaperDataset, string Model, string Metric, double Value);

/// <summary>The paper's Table 3, Table 4 and Figure 6 figures, from <c>pipelines/experiments/paper-figures.csv</c>
/// (lines starting with '#' are comments naming the source; then a header
/// <c>table,dataset,paper_dataset,model,metric,value</c>). Shown beside ours, labelled as the paper's. Pure.</summary>
public static class PaperFigures
{
    public const string FileName = "paper-figures.csv";
    const string Header = "table,dataset,paper_dataset,model,metric,value";

    public static Fin<ImmutableArray<PaperFigure>> Parse(string text, string file)
    {
        var rows = ImmutableArray.CreateBuilder<PaperFigure>();
        var lines = text.Split('\n');
        var headerSeen = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (!headerSeen)
            {
                if (line != Header) return Fail(i, $"expected the header '{Header}'");
                headerSeen = true;
                continue;
            }
            var f = line.Split(',');
            if (f.Length != 6) return Fail(i, $"has {f.Length} fields, expected 6 ({Header})");
            if (MetricRef.Parse(f[4]) is null) return Fail(i, $"metric '{f[4]}' is not one of {string.Join(", ", MetricRef.All.Select(m => m.Key))}");
            if (!double.TryParse(f[5], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return Fail(i, $"value '{f[5]}' is not a number");
            rows.Add(new PaperFigure(f[0], f[1], f[2], f[3], f[4], value));
        }
        return FinSucc(rows.ToImmutable());

        Fin<ImmutableArray<PaperFigure>> Fail(int line, string message) =>
            FinFail<ImmutableArray<PaperFigure>>(Error.New($"{file}: line {line + 1}: {message}"));
    }

    /// <summary>The paper's value for a table, dataset, model and metric, if it published one.</summary>
    public static PaperFigure? Find(ImmutableArray<PaperFigure> figures, string table, string dataset, string model, MetricRef metric) =>
        figures.FirstOrDefault(f => f.Table == table && f.Dataset == dataset && f.Model == model && f.Metric == metric.Key);
}
