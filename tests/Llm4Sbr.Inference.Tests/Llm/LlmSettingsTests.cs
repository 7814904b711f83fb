using Llm4Sbr.Inference.Llm;
using Xunit;
using static Llm4Sbr.Inference.Tests.Llm.LlmTestKit;
using Llm4Sbr.Tests.Fakes;

namespace Llm4Sbr.Inference.Tests.Llm;

public class LlmSettingsTests
{
    private static ResolvedLlmSettings Ok(LlmSettings s, Func<string, string?>? env = null) =>
        LlmSettingsResolver.Resolve(s, env ?? (_ => null)).Match(r => r, e => throw new Xunit.Sdk.XunitException(e.Message));

    private static string Error(LlmSettings s, Func<string, string?>? env = null) =>
        LlmSettingsResolver.Resolve(s, env ?? (_ => null)).Match(_ => throw new Xunit.Sdk.XunitException("expected an error"), e => e.Message);

    [Fact]
    public void Offline_is_the_default_when_nothing_is_configured()
    {
        var r = Ok(new LlmSettings());
        Assert.Equal(LlmEngineKind.Offline, r.Kind);
        Assert.Empty(r.Endpoints);
        var engine = IntentEngines.Create(new LlmSettings(), Offline(), "", _ => null).Match(e => e, e => throw new Xunit.Sdk.XunitException(e.Message));
        Assert.IsType<OfflineIntentEngine>(engine);
        Assert.Equal("offline", engine.Engine);
    }

    [Fact]
    public void Errors_name_the_valid_choices()
    {
        Assert.Contains("offline, ollama, openai", Error(new LlmSettings { Engine = "gpt4all" }));
        Assert.Contains("ollama, openai", Error(new LlmSettings { Endpoints = ["http://gpu:11434"] }));
        Assert.Contains("not a valid http(s) URL", Error(new LlmSettings { Engine = "openai", Model = "m", Endpoints = ["ftp://x"] }));
        Assert.Contains("needs a model", Error(new LlmSettings { Engine = "openai", Endpoints = ["http://x:8000/v1"] }));
        Assert.Contains("needs at least one endpoint", Error(new LlmSettings { Engine = "openai", Model = "m" }));
        Assert.Contains("max_concurrency", Error(new LlmSettings { MaxConcurrency = 0 }));
        Assert.Contains("request_timeout", Error(new LlmSettings { RequestTimeout = TimeSpan.Zero }));
        Assert.Contains("check_timeout", Error(new LlmSettings { CheckTimeout = TimeSpan.Zero }));
        Assert.Contains("passes", Error(new LlmSettings { Passes = 0 }));
        Assert.Contains("breaker_failures", Error(new LlmSettings { BreakerFailures = 0 }));
        Assert.Contains("breaker_duration", Error(new LlmSettings { BreakerDuration = TimeSpan.Zero }));
    }

    [Theory]
    [InlineData(null, "http://127.0.0.1:11434/")]
    [InlineData("0.0.0.0:11500", "http://127.0.0.1:11500/")]
    [InlineData("gpu-box", "http://gpu-box:11434/")]
    [InlineData("https://ollama.example.org", "https://ollama.example.org:11434/")]
    [InlineData("http://10.0.0.5:8080", "http://10.0.0.5:8080/")]
    public void Ollama_takes_its_host_from_OLLAMA_HOST_when_no_endpoint_is_given(string? host, string expected)
    {
        var r = Ok(new LlmSettings { Engine = "ollama" }, name => name == "OLLAMA_HOST" ? host : null);
        Assert.Equal(expected, Assert.Single(r.Endpoints).ToString());
        Assert.Equal(LlmSettingsResolver.DefaultOllamaModel, r.Model);
    }

    [Fact]
    public void Configured_endpoints_win_over_OLLAMA_HOST_and_duplicates_collapse()
    {
        var r = Ok(new LlmSettings { Engine = "Ollama", Model = "qwen:7b-chat", Endpoints = ["http://a:11434", "b", "http://a:11434/"] },
            _ => "elsewhere:1");
        Assert.Equal(["http://a:11434/", "http://b:11434/"], r.Endpoints.Select(u => u.ToString()));
        Assert.Equal("qwen:7b-chat", r.Model);
    }

    [Theory]
    [InlineData("http://gpu:8000", "http://gpu:8000/v1")]
    [InlineData("http://gpu:8000/v1/", "http://gpu:8000/v1")]
    [InlineData("http://localhost:1234/api/v1", "http://localhost:1234/api/v1")]
    public void OpenAi_endpoints_get_v1_when_they_have_no_path(string given, string expected)
    {
        var r = Ok(new LlmSettings { Engine = "openai", Model = "Qwen/Qwen2.5-7B-Instruct", Endpoints = [given] });
        Assert.Equal(expected, Assert.Single(r.Endpoints).ToString());
    }

    [Fact]
    public void The_api_key_is_read_from_the_named_variable_and_never_printed()
    {
        const string secret = "sk-very-secret-1234";
        var settings = new LlmSettings { Engine = "openai", Model = "m", Endpoints = ["http://x:8000/v1"], ApiKeyEnv = "MY_KEY" };
        var r = Ok(settings, name => name == "MY_KEY" ? secret : null);
        Assert.NotNull(r.Key);
        Assert.DoesNotContain(secret, r.ToString());
        Assert.DoesNotContain(secret, r.Key!.ToString());
        var missing = Error(settings);
        Assert.Contains("MY_KEY", missing);
        Assert.Null(Ok(settings with { ApiKeyEnv = null }).Key);
    }

    [Fact]
    public void Every_generation_option_changes_the_cache_fingerprint()
    {
        var baseline = new GenerationOptions();
        var variants = new[]
        {
            baseline with { Temperature = 0.1f }, baseline with { MaxOutputTokens = 65 }, baseline with { Seed = 43 },
            baseline with { Seed = null }, baseline with { TopP = 0.9f },
        };
        var prints = variants.Select(v => v.Fingerprint()).Append(baseline.Fingerprint()).ToArray();
        Assert.Equal(prints.Length, prints.Distinct().Count());
        Assert.Equal(baseline.Fingerprint(), new GenerationOptions().Fingerprint());
    }
}
