using System.CommandLine;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Stages.Modeling.Train;
using static LanguageExt.Prelude;
using OverridesOrError = LanguageExt.Fin<Llm4Sbr.Engine.Pipelines.PipelineOverrides>;

namespace Llm4Sbr.Cli.Commands;

/// <summary>Command-line options that replace keys of the pipeline file. They are applied to the
/// file's tree before any stage reads it, so they are validated like file values and change the
/// memo keys exactly as editing the file would.</summary>
public sealed class PipelineOptions(bool modelSelection = true)
{
    readonly Option<string?> _llm = new("--llm") { Description = "LLM engine: offline | ollama | openai (llm.engine)" };
    readonly Option<string?> _llmModel = new("--llm-model") { Description = "Model name, e.g. qwen2.5:7b (llm.model)" };
    readonly Option<string[]> _llmEndpoints = new("--llm-endpoint")
    {
        Description = "Endpoint URL (repeatable; requests are spread over all of them) (llm.endpoints)",
        DefaultValueFactory = _ => [],
        AllowMultipleArgumentsPerToken = false,
    };
    readonly Option<string?> _models = new("--models") { Description = "Comma-separated models to train and evaluate, e.g. srgnn,llm4sbr-srgnn,stan (models)" };
    readonly Option<int?> _seeds = new("--seeds") { Description = "Train each neural model with N seeds and report mean and standard deviation (training.seeds)" };
    readonly Option<string[]> _set = new("--set")
    {
        Description = "Any pipeline key, e.g. --set localize.k=5 (repeatable)",
        DefaultValueFactory = _ => [],
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_llm);
        command.Options.Add(_llmModel);
        command.Options.Add(_llmEndpoints);
        if (modelSelection)
        {
            // experiment picks models and seeds per cell from its plan instead
            command.Options.Add(_models);
            command.Options.Add(_seeds);
        }
        command.Options.Add(_set);
    }

    /// <summary>The overrides the user gave; a malformed <c>--set</c> or a <c>--models</c> naming no
    /// model is an error naming it (a usage error: nothing runs).</summary>
    public OverridesOrError Read(ParseResult parse) =>
        PipelineOverrides.Parse(parse.GetValue(_set) ?? [], "--set").Bind(overrides =>
        {
            if (parse.GetValue(_llm) is { Length: > 0 } engine) overrides = overrides.Set("llm.engine", engine, "--llm");
            if (parse.GetValue(_llmModel) is { Length: > 0 } model) overrides = overrides.Set("llm.model", model, "--llm-model");
            if (parse.GetValue(_llmEndpoints) is { Length: > 0 } endpoints) overrides = overrides.SetList("llm.endpoints", endpoints, "--llm-endpoint");
            if (modelSelection && parse.GetValue(_models) is { } models)
            {
                var names = models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (names.Length == 0)
                    return FinFail<PipelineOverrides>(LanguageExt.Common.Error.New(
                        $"--models: lists no model; valid models: {string.Join(", ", ModelCatalog.Names)}"));
                overrides = overrides.SetList("models", names, "--models");
            }
            if (modelSelection && parse.GetValue(_seeds) is { } seeds) overrides = overrides.Set("training.seeds", seeds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seeds");
            return FinSucc(overrides);
        });
}
