using Llm4Sbr.Tests.Shared;
using Llm4Sbr.Engine.Errors;
using Llm4Sbr.Engine.Pipelines;
using Llm4Sbr.Stages.Intent;
using Llm4Sbr.Stages.Intent.Embed;
using Llm4Sbr.Stages.Intent.Infer;
using Llm4Sbr.Stages.Intent.Localize;
using Llm4Sbr.Stages.Intent.Prompts;
using Llm4Sbr.Stages.Intent.Titles;
using Llm4Sbr.Stages.Modeling.Train;
using Llm4Sbr.Stages.Tests.Intent.Support;

namespace Llm4Sbr.Stages.Tests.Intent;

/// <summary>Command-line overrides of pipeline keys, and the intent sections' validation: an
/// overridden value is checked like one in the file, and its errors name where it came from.</summary>
public sealed class OverrideTests : IDisposable
{
    const string File = "pipelines/movielens-small.yaml";
    readonly IntentWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    PipelineDefinition Load(PipelineOverrides overrides) =>
        _workspace.Load("movielens-small", overrides).Match(p => p, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message))));

    string[] Errors(PipelineOverrides overrides) =>
        _workspace.Load("movielens-small", overrides).Match(_ => [], e => e.Select(x => x.Message).ToArray());

    [Fact]
    public void The_bundled_pipelines_load_with_the_intent_sections_and_default_to_the_offline_engine()
    {
        foreach (var name in new[] { "movielens-small", "movielens-1m", "amazon-beauty" })
        {
            var pipeline = _workspace.Load(name).Match(p => p, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message))));
            Assert.Equal(new InferConfig("offline", "title-medoid-1", null, Core.Answers.AnswerCleaner.Version, "title-medoid-1"), pipeline.Find(InferStage.Name)!.Config);
            Assert.Equal(new LocalizeConfig(3), pipeline.Find(LocalizeStage.Name)!.Config);
            var prompts = (PromptsConfig)pipeline.Find(PromptsStage.Name)!.Config;
            Assert.Equal(["long", "short"], prompts.Views.Select(v => v.Name));
            Assert.Equal(20, prompts.MaxItems);
            Assert.Equal(new EncoderConfig("builtin-minilm", null, Inference.Encoding.Pooling.Mean, 128, true), pipeline.Find(TitlesStage.Name)!.Config);
            Assert.Equal(new EmbedConfig((EncoderConfig)pipeline.Find(TitlesStage.Name)!.Config), pipeline.Find(EmbedStage.Name)!.Config);
        }
    }

    [Fact]
    public void Llm_options_override_the_file_and_the_endpoints_stay_out_of_the_memo_key()
    {
        var one = Load(PipelineOverrides.None.Llm("ollama", "qwen:7b-chat", ["http://gpu-1:11434", "gpu-2"]));
        var other = Load(PipelineOverrides.None.Llm("ollama", "qwen:7b-chat", ["http://gpu-3:11434"]));

        var infer = one.Find(InferStage.Name)!;
        Assert.Equal(new InferConfig("ollama", "qwen:7b-chat", new GenerationConfig(0, 64, 42, null), Core.Answers.AnswerCleaner.Version, "title-medoid-1"), infer.Config);
        Assert.DoesNotContain("gpu", infer.CanonicalConfig);
        Assert.Equal(infer.CanonicalConfig, other.Find(InferStage.Name)!.CanonicalConfig);
        Assert.NotEqual(infer.CanonicalConfig, Load(PipelineOverrides.None.Llm("ollama", null, [])).Find(InferStage.Name)!.CanonicalConfig);
        // Only the options given replace the file's: the model stays the file's qwen2.5:7b.
        Assert.Equal("qwen2.5:7b", ((InferConfig)Load(PipelineOverrides.None.Llm("ollama", null, null)).Find(InferStage.Name)!.Config).Model);
        // A sampling option is in the key.
        Assert.NotEqual(infer.CanonicalConfig,
            Load(PipelineOverrides.None.Llm("ollama", "qwen:7b-chat", null).Set("llm.temperature", "0.7")).Find(InferStage.Name)!.CanonicalConfig);
    }

    [Fact]
    public void A_bad_engine_names_the_option_the_key_and_the_valid_engines()
    {
        Assert.Equal([$"--llm: llm.engine: 'llama' is not one of offline, ollama, openai"],
            Errors(PipelineOverrides.None.Llm("llama", null, null)));
    }

    [Fact]
    public void Endpoints_must_be_urls_and_openai_needs_one()
    {
        Assert.Equal(["--llm-endpoint: llm.endpoints: 'ftp://gpu-1' is not an http(s) URL (e.g. http://127.0.0.1:11434 for ollama, http://gpu-1:8000/v1 for openai)"],
            Errors(PipelineOverrides.None.Llm("ollama", null, ["ftp://gpu-1"])));
        var openai = Assert.Single(Errors(PipelineOverrides.None.Llm("openai", null, null)));
        Assert.StartsWith($"{File}: llm.endpoints: missing; engine openai needs at least one endpoint", openai);
        // Endpoints without an engine: the file has none, so the user must choose.
        Assert.Contains("choose the engine that serves them: ollama or openai", Assert.Single(Errors(PipelineOverrides.None.Llm(null, null, ["http://gpu-1:11434"]))));
    }

    [Fact]
    public void Reliability_options_are_validated_like_the_other_llm_keys_and_stay_out_of_the_memo_key()
    {
        var ollama = PipelineOverrides.None.Llm("ollama", null, null);
        var tuned = ollama.Set("llm.check_timeout_seconds", "3").Set("llm.passes", "5").Set("llm.breaker_failures", "2").Set("llm.breaker_seconds", "60");
        Assert.Equal(Load(ollama).Find(InferStage.Name)!.CanonicalConfig, Load(tuned).Find(InferStage.Name)!.CanonicalConfig);
        Assert.Equal(["override llm.passes=0: llm.passes: 0 is out of range; expected an integer from 1 to 100"],
            Errors(ollama.Set("llm.passes", "0")));
        Assert.Equal(["override llm.breaker_failures=many: llm.breaker_failures: 'many' is not an integer"],
            Errors(ollama.Set("llm.breaker_failures", "many")));
        Assert.StartsWith("override llm.breaker_seconds=0: llm.breaker_seconds: 0 is out of range", Assert.Single(Errors(ollama.Set("llm.breaker_seconds", "0"))));
        Assert.StartsWith("override llm.check_timeout_seconds=-1: llm.check_timeout_seconds: -1 is out of range",
            Assert.Single(Errors(ollama.Set("llm.check_timeout_seconds", "-1"))));
    }

    [Fact]
    public void Generic_overrides_are_validated_like_file_values()
    {
        Assert.Equal(["override localize.k=9000: localize.k: 9000 is out of range; expected an integer from 0 to 100"],
            Errors(PipelineOverrides.None.Set("localize.k", "9000")));
        Assert.Equal(["override llm.max_concurrency=many: llm.max_concurrency: 'many' is not an integer"],
            Errors(PipelineOverrides.None.Set("llm.max_concurrency", "many")));
        var unknownKey = Assert.Single(Errors(PipelineOverrides.None.Set("llm.enigne", "ollama")));
        Assert.StartsWith("override llm.enigne=ollama: llm.enigne: unknown key; valid keys are engine, model, endpoints", unknownKey);
        var unknownSection = Assert.Single(Errors(PipelineOverrides.None.Set("lmm.engine", "ollama")));
        Assert.StartsWith("override lmm.engine=ollama: lmm: unknown section; valid sections are name, description, dataset", unknownSection);
        Assert.Equal(["override llm.model.size=7b: 'llm.model' holds 'qwen2.5:7b', not a mapping of keys"],
            Errors(PipelineOverrides.None.Set("llm.model.size", "7b")));
        Assert.Equal(["override llm..model=x: 'llm..model' is not a key path (keys of letters, digits, '_' or '-', joined by '.', e.g. llm.engine)"],
            Errors(PipelineOverrides.None.Set("llm..model", "x")));
        Assert.All(Errors(PipelineOverrides.None.Set("encoder.pooling", "max")), e => Assert.Equal("override encoder.pooling=max: encoder.pooling: 'max' is not one of mean, cls", e));
    }

    [Fact]
    public void Int8_precision_is_in_the_encoder_key_and_speed_options_are_not()
    {
        var plain = Load(PipelineOverrides.None).Find(TitlesStage.Name)!;
        var int8 = Load(PipelineOverrides.None.Set("encoder.precision", "int8")).Find(TitlesStage.Name)!;
        Assert.Equal("int8", ((EncoderConfig)int8.Config).Precision);
        Assert.NotEqual(plain.CanonicalConfig, int8.CanonicalConfig);
        Assert.NotEqual(Load(PipelineOverrides.None).Find(EmbedStage.Name)!.CanonicalConfig,
            Load(PipelineOverrides.None.Set("encoder.precision", "int8")).Find(EmbedStage.Name)!.CanonicalConfig);
        Assert.Equal(plain.CanonicalConfig, Load(PipelineOverrides.None.Set("encoder.workers", "3").Set("encoder.threads", "1")).Find(TitlesStage.Name)!.CanonicalConfig);
        Assert.All(Errors(PipelineOverrides.None.Set("encoder.precision", "fp16")),
            e => Assert.Equal("override encoder.precision=fp16: encoder.precision: 'fp16' is not one of fp32, int8", e));
    }

    [Fact]
    public void Assignments_parse_as_yaml_values()
    {
        var parsed = PipelineOverrides.Parse(["llm.engine=ollama", "llm.endpoints=[http://a:11434, http://b:11434]", "prompts.views=[short]"]);
        var overrides = parsed.Match(o => o, e => throw new InvalidOperationException(e.Message));
        var pipeline = Load(overrides);
        // 'long' is added: the pipeline's llm4sbr-srgnn reads it.
        Assert.Equal(["short", "long"], ((PromptsConfig)pipeline.Find(PromptsStage.Name)!.Config).Views.Select(v => v.Name));
        Assert.Equal("ollama", ((InferConfig)pipeline.Find(InferStage.Name)!.Config).Engine);

        var tree = overrides.Apply(ConfigMap.Empty).Match(m => m, e => throw new InvalidOperationException(e.Head.Message));
        var endpoints = (ConfigList)((ConfigMap)tree.Find("llm")!.Value).Find("endpoints")!.Value;
        Assert.Equal(["http://a:11434", "http://b:11434"], endpoints.Items.Cast<ConfigScalar>().Select(s => s.Value));

        var bad = PipelineOverrides.Parse(["llm.engine"]);
        Assert.Equal("override 'llm.engine' is not of the form key.path=value (e.g. llm.engine=ollama)", bad.Match(_ => "", e => e.Message));
        Assert.Equal(["override llm.model=[unclosed: '[unclosed' is not a valid YAML value"],
            Errors(PipelineOverrides.Parse(["llm.model=[unclosed"]).Match(o => o, e => throw new InvalidOperationException(e.Message))));
    }

    [Fact]
    public void A_later_override_of_a_key_wins()
    {
        var pipeline = Load(PipelineOverrides.None.Set("localize.k", "1").Set("localize.k", "4"));
        Assert.Equal(new LocalizeConfig(4), pipeline.Find(LocalizeStage.Name)!.Config);
    }

    [Fact]
    public void A_listed_model_plans_the_views_it_reads()
    {
        // movielens-small lists [long, short]; llm4sbr-srgnn-normal reads 'normal', which is added
        // (a built-in view) instead of failing at train with advice to edit the file.
        var catalog = ProductCatalog.Create(modeling: new ModelingOverrides { Models = ["srgnn", "llm4sbr-srgnn-normal"] });
        var pipeline = PipelineLoader.LoadFile(PipelineSource.ForFile(RepoPaths.Pipeline("movielens-small")), catalog)
            .Match(p => p, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message))));
        Assert.Equal(["long", "short", "normal"], ((PromptsConfig)pipeline.Find(PromptsStage.Name)!.Config).Views.Select(v => v.Name));

        // A model that reads no view adds none.
        var plain = ProductCatalog.Create(modeling: new ModelingOverrides { Models = ["gru4rec"] });
        var unchanged = PipelineLoader.LoadFile(PipelineSource.ForFile(RepoPaths.Pipeline("movielens-small")), plain)
            .Match(p => p, e => throw new InvalidOperationException(string.Join("; ", e.Select(x => x.Message))));
        Assert.Equal(["long", "short"], ((PromptsConfig)unchanged.Find(PromptsStage.Name)!.Config).Views.Select(v => v.Name));
    }

    [Fact]
    public void A_new_view_is_a_name_and_a_qualifier()
    {
        var pipeline = Load(PipelineOverrides.None
            .SetYaml("prompts.view_definitions", "{trend: in what is popular now, recent: {qualifier: in the last clicks, offline: 'medoid:2'}}")
            .SetList("prompts.views", ["long", "trend", "recent"]));

        var views = ((PromptsConfig)pipeline.Find(PromptsStage.Name)!.Config).Views;
        // The listed ones in order, then 'short', which the pipeline's llm4sbr-srgnn reads.
        Assert.Equal(["long", "trend", "recent", "short"], views.Select(v => v.Name));
        Assert.Equal(("in what is popular now", "medoid"), (views[1].Qualifier, views[1].Offline.ToString()));
        Assert.Equal(("in the last clicks", "medoid:2"), (views[2].Qualifier, views[2].Offline.ToString()));

        Assert.Equal(["override prompts.views=[long, seasonal]: prompts.views: view 'seasonal' is not defined; available views: long, short, normal (a new view is a name and a qualifier under prompts.view_definitions)"],
            Errors(PipelineOverrides.None.SetList("prompts.views", ["long", "seasonal"])));
        Assert.Contains(Errors(PipelineOverrides.None.SetYaml("prompts.view_definitions", "{long: in the very long term}")),
            e => e.Contains("prompts.view_definitions.long: 'long' is a built-in view (long, short, normal); give the new view another name", StringComparison.Ordinal));
        Assert.Contains(Errors(PipelineOverrides.None.SetYaml("prompts.view_definitions", "{odd: {qualifier: odd, offline: middle}}")),
            e => e.Contains("prompts.view_definitions.odd.offline: offline rule 'middle' is not valid; valid: medoid, medoid:<n>", StringComparison.Ordinal));
    }

    [Fact]
    public void An_encoder_model_path_needs_its_vocabulary_and_both_files_enter_the_key()
    {
        Assert.Contains(Errors(PipelineOverrides.None.Set("encoder.model", "models/bert/model.onnx")),
            e => e.Contains("encoder.vocab: missing; a model path needs the model's vocab.txt too (or model: builtin-minilm)", StringComparison.Ordinal));

        var pipeline = Load(PipelineOverrides.None.Set("encoder.model", "models/bert/model.onnx").Set("encoder.vocab", "models/bert/vocab.txt"));
        var titles = pipeline.Find(TitlesStage.Name)!;
        Assert.Equal(["encoder-model", "encoder-vocab"], titles.ExternalInputs.Select(i => i.Name));
        Assert.Equal(Path.Combine(RepositoryRoot.Path, "models", "bert", "model.onnx"), titles.ExternalInputs[0].Path);
    }
}
