using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Llm4Sbr.Stages.Experiments;

/// <summary>The Markdown report of an experiment: which LLM engine made the views, the results table
/// (mean ± std over seeds, in %), the paired tests of every backbone against its LLM4SBR variants, the
/// paper's figures beside ours when the plan names a paper table (clearly labelled as the paper's), the
/// figures and the cells with their keys. Pure.</summary>
public static class ExperimentReport
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(ExperimentOutcome o, ImmutableArray<PaperFigure> paper, ImmutableArray<string> figureFiles)
    {
        var md = new StringBuilder();
        var plan = o.Plan;
        md.AppendLine($"# {plan.Title}");
        md.AppendLine();
        if (plan.Description is { Length: > 0 } description)
        {
            md.AppendLine(description.Trim());
            md.AppendLine();
        }
        md.AppendLine($"Pipeline `{o.Pipeline}` (dataset **{o.Dataset}**), plan `{plan.Name}` ({plan.File}). Test metrics in %, "
            + (o.Seeds.Length > 1
                ? $"mean ± sample standard deviation (n - 1) over seeds {string.Join(", ", o.Seeds)} of each neural model; "
                : o.Seeds.Length == 1 ? $"seed {o.Seeds[0]}; " : "")
            + "baselines and LLM-only are deterministic (one run).");
        md.AppendLine();
        md.AppendLine($"**Views (LLM):** {o.LlmLabel}");
        md.AppendLine();

        md.AppendLine("## Results");
        md.AppendLine();
        var sweep = o.Variants.Length > 1 || o.Variants[0].Length > 0;
        md.AppendLine($"| Model |{(sweep ? " variant |" : "")} runs | {string.Join(" | ", plan.Metrics.Select(m => m.Label))} |");
        md.AppendLine($"|---|{(sweep ? "---|" : "")}---:|{string.Concat(plan.Metrics.Select(_ => "---:|"))}");
        foreach (var m in o.Models)
            md.AppendLine($"| {m.Label} |{(sweep ? $" {m.Variant} |" : "")} {m.Seeds.Length} | "
                + string.Join(" | ", plan.Metrics.Select(x => Cell(m[x]))) + " |");
        md.AppendLine();

        if (o.Pairs.Length > 0)
        {
            md.AppendLine("## Paired tests: backbone X vs LLM4SBR(X)");
            md.AppendLine();
            md.AppendLine($"Paired bootstrap over the test samples ({o.Pairs[0].Mrr20.Resamples:N0} resamples, seed {PairedBootstrap.DefaultSeed}): "
                + "per sample the reciprocal rank cut at 20 (its mean is MRR@20) and the hit within the top 20 (its mean is P@20), "
                + "each model's value averaged over its seeds first. Difference = LLM4SBR - backbone in percentage points, "
                + "95 % interval from the bootstrap percentiles, p two-sided (H0: no difference).");
            md.AppendLine();
            md.AppendLine($"| {(sweep ? "variant | " : "")}X | compared | metric | X | compared | difference (pp) | 95 % interval | p |");
            md.AppendLine($"|{(sweep ? "---|" : "")}---|---|---|---:|---:|---:|---|---:|");
            foreach (var p in o.Pairs)
                foreach (var (name, t) in new[] { ("MRR@20", p.Mrr20), ("P@20", p.P20) })
                    md.AppendLine($"| {(sweep ? p.Variant + " | " : "")}{plan.LabelOf(p.Backbone)} | {plan.LabelOf(p.Enhanced)} | {name} | "
                        + $"{Pct(t.MeanA)} | {Pct(t.MeanB)} | {Signed(t.Difference * 100)} | [{Signed(t.Low * 100)}, {Signed(t.High * 100)}] | {P(t.PValue, t.Resamples)} |");
            md.AppendLine();
        }

        var published = plan.Paper is { } table
            ? o.Models.SelectMany(m => plan.Metrics.Select(x => (Model: m, Metric: x, Paper: PaperFigures.Find(paper, table, o.Dataset, m.Model, x))))
                .Where(r => r.Paper is not null).ToList()
            : [];
        if (published.Count > 0)
        {
            md.AppendLine($"## The paper's figures (NOT ours), for comparison");
            md.AppendLine();
            md.AppendLine($"From the LLM4SBR paper's {plan.Paper} on {published[0].Paper!.PaperDataset} (its views came from the LLM qwen:7b-chat; "
                + $"ours: {(o.UsedLlm ? "see above" : "no LLM")}), transcribed in `pipelines/experiments/{PaperFigures.FileName}`. "
                + "Ours - paper in percentage points.");
            md.AppendLine();
            md.AppendLine($"| Model |{(sweep ? " variant |" : "")} metric | ours | the paper's | ours - paper's |");
            md.AppendLine($"|---|{(sweep ? "---|" : "")}---|---:|---:|---:|");
            foreach (var (m, metric, figure) in published)
                md.AppendLine($"| {m.Label} |{(sweep ? $" {m.Variant} |" : "")} {metric.Label} | {Pct(m[metric].Mean)} | {figure!.Value.ToString("0.00", Invariant)} | "
                    + $"{Signed(m[metric].Mean * 100 - figure.Value)} |");
            md.AppendLine();
        }
        else if (plan.Paper is { } missing)
        {
            md.AppendLine($"The paper's {missing} has no figures for dataset {o.Dataset} (it reports Beauty and ML-1M: pipelines amazon-beauty and movielens-1m).");
            md.AppendLine();
        }

        if (figureFiles.Length > 0)
        {
            md.AppendLine("## Figures");
            md.AppendLine();
            foreach (var file in figureFiles) md.AppendLine($"![{Path.GetFileNameWithoutExtension(file)}]({file})");
            md.AppendLine();
        }

        md.AppendLine("## Cells");
        md.AppendLine();
        md.AppendLine("Each cell is one run of the pipeline with the settings shown, one model and one seed (-1: deterministic); "
            + "its stages are memoized like any run's. cached: every stage came from the cache in this invocation.");
        md.AppendLine();
        md.AppendLine("| cell | settings | model | seed | cached | computed stages | s |");
        md.AppendLine("|---|---|---|---:|---|---|---:|");
        foreach (var c in o.Cells)
            md.AppendLine($"| `{c.Cell.Key[..12]}` | {Settings(c.Cell)} | {c.Cell.Model} | {c.Cell.Seed} | {(c.Cached ? "yes" : "no")} | "
                + $"{(c.Computed.IsEmpty ? "-" : string.Join(", ", c.Computed))} | {c.Seconds.ToString("0.0", Invariant)} |");
        return md.ToString();
    }

    static string Settings(ExperimentCell cell) =>
        cell.Settings.IsEmpty ? "-" : string.Join(", ", cell.Settings.Select(p => $"`{p.Key}={p.Value}`"));

    static string Cell(MetricStat s) => s.Runs > 1 ? $"{Pct(s.Mean)} ± {Pct(s.Std)}" : Pct(s.Mean);
    static string Pct(double fraction) => double.IsNaN(fraction) ? "-" : (fraction * 100).ToString("0.00", Invariant);
    static string Signed(double value) => double.IsNaN(value) ? "-" : value.ToString("+0.00;-0.00;0.00", Invariant);
    static string P(double p, int resamples) => double.IsNaN(p) ? "-"
        : p <= 1.0 / (resamples + 1) + 1e-15 ? $"< {(1.0 / resamples).ToString("0.####", Invariant)}" : p.ToString("0.####", Invariant);
}
