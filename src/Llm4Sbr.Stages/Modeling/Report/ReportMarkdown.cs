using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Llm4Sbr.Core.Data;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Stages.Modeling.Evaluate;
using Llm4Sbr.Stages.Modeling.Train;

namespace Llm4Sbr.Stages.Modeling.Report;

/// <summary>Everything the report shows.</summary>
public sealed record ReportInputs(
    ReportConfig Config, DatasetSummary Dataset, TrainingFacts Facts, MetricsTable Metrics,
    ImmutableArray<ModelRun> Runs, ImmutableArray<EpochRow> History, string LlmLabel, bool UsedLlm);

/// <summary>The Markdown report, shaped like Table 3 of the LLM4SBR paper: metrics in percent
/// (mean ± standard deviation over seeds when there are several), baselines first, then each
/// backbone beside its LLM4SBR variants with the relative improvement, then the LLM alone, then the
/// section 5.2.2 baselines built on item-title embeddings (LLMSeqSim, LLM2X; no LLM asked). Pure.</summary>
public static class ReportMarkdown
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(ReportInputs r)
    {
        var md = new StringBuilder();
        var models = r.Metrics.Models;
        var seeds = r.Runs.Where(x => x.Family == ModelFamily.Neural).Select(x => x.Seed).Distinct().ToList();
        var selection = r.Runs.FirstOrDefault(x => x.SelectionMetric.Length > 0)?.SelectionMetric;

        md.AppendLine($"# Results: {r.Config.Pipeline}");
        md.AppendLine();
        md.AppendLine($"Dataset **{r.Config.Dataset}**. Test metrics in %, over all {Count(r.Dataset.TestSamples)} test samples and all "
            + $"{Count(r.Facts.Items)} items (a rank beyond K counts 0). Neural models: the epoch chosen on validation"
            + (selection is null ? "" : $" ({selection})")
            + seeds.Count switch
            {
                0 => ".",
                1 => $", seed {seeds[0]}.",
                _ => $", mean ± standard deviation over seeds {string.Join(", ", seeds)}.",
            });
        md.AppendLine();
        md.AppendLine($"**LLM:** {r.LlmLabel}");
        md.AppendLine();

        md.AppendLine("## Dataset");
        md.AppendLine();
        md.AppendLine("| train sessions | test sessions | train samples | of which validation | test samples | items | clicks |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
        md.AppendLine($"| {Count(r.Dataset.TrainSessions)} | {Count(r.Dataset.TestSessions)} | {Count(r.Dataset.TrainSamples)} | "
            + $"{Count(r.Facts.ValidationSamples)} ({(r.Facts.ValidationFraction * 100).ToString("0.#", Invariant)} % of train sessions) | "
            + $"{Count(r.Dataset.TestSamples)} | {Count(r.Dataset.Items)} | {Count(r.Dataset.Clicks)} |");
        md.AppendLine();

        md.AppendLine("## Overall performance (Table 3)");
        md.AppendLine();
        Header(md, "Model");
        // Table 3's order (baselines, each backbone with its LLM4SBR models, LLM only, title baselines) is
        // every later table's order too.
        var listed = new List<ModelSummary>();
        void Listed(ModelSummary m)
        {
            Row(md, ModelCatalog.DisplayName(m.Model), m);
            listed.Add(m);
        }
        var baselines = models.Where(m => m.Family == ModelFamily.Baseline).ToList();
        if (baselines.Count > 0)
        {
            Section(md, "Baselines");
            foreach (var m in baselines) Listed(m);
        }
        var neural = models.Where(m => m.Family == ModelFamily.Neural && !ModelCatalog.IsTitleEmbeddingBaseline(m.Model)).ToList();
        if (neural.Count > 0)
        {
            var enhancedAny = neural.Any(m => ModelCatalog.BackboneOf(m.Model) is not null);
            Section(md, !enhancedAny ? "Session-based models" : r.UsedLlm ? "SBR backbone vs LLM4SBR" : "SBR backbone vs LLM4SBR (views without an LLM)");
            var shown = new HashSet<string>();
            foreach (var backbone in neural.Where(m => ModelCatalog.BackboneOf(m.Model) is null).OrderBy(m => ModelCatalog.PaperOrder(m.Model)))
            {
                Listed(backbone);
                shown.Add(backbone.Model);
                foreach (var enhanced in neural.Where(m => ModelCatalog.BackboneOf(m.Model) == backbone.Model))
                {
                    Listed(enhanced);
                    Improvement(md, $"Improv. over {ModelCatalog.DisplayName(backbone.Model)}", backbone, enhanced);
                    shown.Add(enhanced.Model);
                }
            }
            foreach (var m in neural.Where(m => !shown.Contains(m.Model))) Listed(m);
        }
        var llmOnly = models.Where(m => m.Family == ModelFamily.LlmInfer).ToList();
        if (llmOnly.Count > 0)
        {
            Section(md, "LLM only");
            foreach (var m in llmOnly) Listed(m);
        }
        var titleBaselines = models.Where(m => ModelCatalog.IsTitleEmbeddingBaseline(m.Model)).OrderBy(m => m.Family == ModelFamily.TextSimilarity ? 0 : 1).ThenBy(m => ModelCatalog.PaperOrder(m.Model)).ToList();
        if (titleBaselines.Count > 0)
        {
            Section(md, "LLM baselines on item-title embeddings (no LLM asked)");
            foreach (var m in titleBaselines) Listed(m);
        }
        md.AppendLine();
        if (neural.Any(m => ModelCatalog.BackboneOf(m.Model) is { } b && neural.Any(n => n.Model == b)))
        {
            md.AppendLine("Improv. = (LLM4SBR - backbone) / backbone, in % of the backbone's value.");
            md.AppendLine();
        }
        if (titleBaselines.Count > 0)
        {
            md.AppendLine("LLM baselines (the paper's section 5.2.2) read only the encoder's item-title embeddings (the titles stage); no LLM was asked: "
                + "LLMSeqSim ranks items by the similarity of their title embeddings to the session's, without training; "
                + "LLM2X is backbone X whose item table starts from the title embeddings reduced by PCA, then trains as X.");
            md.AppendLine();
        }

        listed.AddRange(models.Where(m => listed.All(l => l.Model != m.Model)));
        int Place(string model) => listed.FindIndex(m => m.Model == model);
        var paper = listed.Where(m => m.PaperBestTest is not null).ToList();
        if (paper.Count > 0)
        {
            md.AppendLine("## Paper practice: best test epoch (NOT the result)");
            md.AppendLine();
            md.AppendLine("Each test metric's maximum over the epochs, as the reference code prints it (\"Best Result\"). "
                + "It chooses by looking at the test set, so it overstates what a model would achieve; it is shown only to compare with published figures.");
            md.AppendLine();
            Header(md, "Model");
            foreach (var m in paper) Cells(md, ModelCatalog.DisplayName(m.Model), m.PaperBestTest!, null);
            md.AppendLine();
        }

        SelectionSection(md, r, selection, Place);

        var settings = r.Runs.Where(x => x.Family == ModelFamily.Neural).GroupBy(x => x.Model).Select(g => g.First()).OrderBy(x => Place(x.Model)).ToList();
        if (settings.Count > 0)
        {
            md.AppendLine("## Model settings");
            md.AppendLine();
            md.AppendLine("Every neural model trains with the shared setting of the `training` section (the paper's: Adam, its learning rate, "
                + "L2 and step decay, batch size, hidden size); no backbone overrides it. Each model's architecture, defaults included:");
            md.AppendLine();
            md.AppendLine("| Model | settings |");
            md.AppendLine("|---|---|");
            foreach (var run in settings) md.AppendLine($"| {ModelCatalog.DisplayName(run.Model)} | `{ArchitectureOf(run.Fingerprint)}` |");
            md.AppendLine();
        }

        md.AppendLine("## Training");
        md.AppendLine();
        md.AppendLine($"Device: {r.Facts.Device}; training samples after carving validation: {Count(r.Facts.FitSamples)}. "
            + "Wall times are measurements of the run that computed the stage, not results: they are in `timings.md` beside this report.");
        md.AppendLine();
        md.AppendLine("| Model | runs | epochs run | selected epoch |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var m in listed)
        {
            var epochs = m.Family == ModelFamily.Neural;
            md.AppendLine($"| {ModelCatalog.DisplayName(m.Model)} | {m.Runs} | {(epochs ? Number(m.EpochsRunMean, "0.#") : "-")} | "
                + $"{(epochs ? Number(m.SelectedEpochMean, "0.#") : "-")} |");
        }
        return md.ToString();
    }

    /// <summary>The test figures at @20 had the epochs been chosen on another validation metric, replayed
    /// from the same runs (<see cref="SelectionReplays"/>); nothing when no neural run has a full history.</summary>
    static void SelectionSection(StringBuilder md, ReportInputs r, string? selection, Func<string, int> place)
    {
        if (selection is null) return;
        var configured = TrainRunner.Selection(selection.ToLowerInvariant());
        var rows = SelectionReplays.Of(r.Runs, r.History, r.Config.Patience, SelectionReplays.Criteria(configured), r.Config.MinGain)
            .OrderBy(x => place(x.Model)).ToList();
        if (rows.Count == 0) return;
        md.AppendLine("## Choice of the selection metric");
        md.AppendLine();
        md.AppendLine($"The results above take each run's epoch chosen on validation {configured} (`training.select_on`). Had the epoch been chosen on "
            + "another validation metric, the test figures would be these. They are replayed from the same runs' epoch histories with the trainer's "
            + $"own rule (the best validation score so far, a stop after {r.Config.Patience} epochs without a gain"
            + (r.Config.MinGain > 0 ? $" of more than {r.Config.MinGain.ToString("G4", Invariant)}" : "")
            + "): the choice of an epoch changes "
            + "nothing about training, so no model was retrained. Like the results, they never look at the test set to choose."
            + (rows.Any(x => x.Mean is null)
                ? $" A '-' marks a criterion that would have trained on after the run stopped early under {configured}: those epochs were never run."
                : ""));
        md.AppendLine();
        md.AppendLine("| Model | chosen on validation | epoch | P@20 | MRR@20 | NDCG@20 |");
        md.AppendLine("|---|---|---:|---:|---:|---:|");
        string? previous = null;
        foreach (var row in rows)
        {
            var name = row.Model == previous ? "" : ModelCatalog.DisplayName(row.Model);
            previous = row.Model;
            var criterion = row.Criterion == configured ? $"{row.Criterion} (the result)" : row.Criterion.ToString();
            if (row.Mean is null)
            {
                md.AppendLine($"| {name} | {criterion} | - | - | - | - |");
                continue;
            }
            var at20 = MetricColumns.Measures.Select(measure =>
            {
                var value = Percent(MetricColumns.Value(row.Mean, measure.Name, 20));
                return row.Runs > 1 ? $"{value} ± {Percent(MetricColumns.Value(row.StandardDeviation!, measure.Name, 20))}" : value;
            });
            md.AppendLine($"| {name} | {criterion} | {Number(row.EpochMean, "0.#")} | {string.Join(" | ", at20)} |");
        }
        md.AppendLine();
    }

    /// <summary>The architecture part of a neural run's fingerprint (<c>model;settings;trainer=..</c>).</summary>
    static string ArchitectureOf(string fingerprint)
    {
        var parts = fingerprint.Split(';');
        return parts.Length >= 2 ? parts[1] : fingerprint;
    }

    static void Header(StringBuilder md, string first)
    {
        md.AppendLine($"| {first} | {string.Join(" | ", MetricColumns.Names.Select(n => n.Label))} |");
        md.AppendLine($"|---|{string.Concat(MetricColumns.Names.Select(_ => "---:|"))}");
    }

    static void Section(StringBuilder md, string title) =>
        md.AppendLine($"| *{title}* |{string.Concat(MetricColumns.Names.Select(_ => " |"))}");

    static void Row(StringBuilder md, string name, ModelSummary m) => Cells(md, name, m.Mean, m.Runs > 1 ? m.StandardDeviation : null);

    static void Cells(StringBuilder md, string name, RankingMetrics mean, RankingMetrics? std)
    {
        var cells = MetricColumns.Measures.SelectMany(measure => MetricColumns.Cutoffs.Select(k =>
        {
            var value = Percent(MetricColumns.Value(mean, measure.Name, k));
            return std is null ? value : $"{value} ± {Percent(MetricColumns.Value(std, measure.Name, k))}";
        }));
        md.AppendLine($"| {name} | {string.Join(" | ", cells)} |");
    }

    static void Improvement(StringBuilder md, string name, ModelSummary backbone, ModelSummary enhanced)
    {
        var cells = MetricColumns.Measures.SelectMany(measure => MetricColumns.Cutoffs.Select(k =>
        {
            var b = MetricColumns.Value(backbone.Mean, measure.Name, k);
            var e = MetricColumns.Value(enhanced.Mean, measure.Name, k);
            return b > 0 ? ((e - b) / b * 100).ToString("+0.00;-0.00;0.00", Invariant) + " %" : "-";
        }));
        md.AppendLine($"| *{name}* | {string.Join(" | ", cells)} |");
    }

    static string Percent(double fraction) => double.IsNaN(fraction) ? "-" : (fraction * 100).ToString("0.00", Invariant);
    static string Number(double value, string format) => double.IsNaN(value) ? "-" : value.ToString(format, Invariant);
    static string Count(long value) => value.ToString("N0", Invariant);
}
