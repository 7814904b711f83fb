using System.Collections.Immutable;
using System.Text.RegularExpressions;
using LanguageExt;
using Llm4Sbr.Engine.Keys;

namespace Llm4Sbr.Engine.Stages;

/// <summary>A stage's run function: configuration and resolved inputs in, output (or an error as
/// a value) out. It must be deterministic in its arguments: the memo store trusts that equal keys
/// mean equal outputs.</summary>
public delegate Task<Fin<TOutput>> StageRun<in TConfig, TOutput>(TConfig config, StageInputs inputs, StageContext context);

/// <summary>A typed stage: see <see cref="IStage"/>. Build one with <see cref="Stage.Pure{TConfig,TOutput}"/>,
/// <see cref="Stage.Effectful{TConfig,TOutput}"/> or <see cref="Stage.Async{TConfig,TOutput}"/>.</summary>
public sealed partial record StageDefinition<TConfig, TOutput> : IStage
    where TConfig : notnull
    where TOutput : class
{
    readonly Lazy<string> _canonicalConfig;

    public StageDefinition(string name, string version, TConfig config, ImmutableArray<IStageInput> inputs,
        StageCodec<TOutput> codec, StageRun<TConfig, TOutput> run)
    {
        if (!StageNamePattern().IsMatch(name))
            throw new ArgumentException($"stage name '{name}' must be lower-case letters, digits and '-', starting with a letter", nameof(name));
        if (string.IsNullOrWhiteSpace(version))
            throw new ArgumentException($"stage '{name}' needs a version", nameof(version));
        Name = name;
        Version = version;
        Config = config;
        Inputs = inputs.IsDefault ? [] : inputs;
        Codec = codec;
        Run = run;
        _canonicalConfig = new(() => CanonicalJson.Serialize(config));
    }

    public string Name { get; }
    public string Version { get; }
    public TConfig Config { get; }
    public ImmutableArray<IStageInput> Inputs { get; }
    public ImmutableArray<ExternalInput> ExternalInputs { get; init; } = [];
    public StageEffects Effects { get; init; } = StageEffects.None;
    /// <summary>See <see cref="IStage.Keying"/>: set <see cref="StageKeying.ByOutput"/> with <c>with</c> on a
    /// stage whose readers should key on its output's content rather than on its key.</summary>
    public StageKeying Keying { get; init; } = StageKeying.ByInputs;
    public StageCodec<TOutput> Codec { get; }
    public StageRun<TConfig, TOutput> Run { get; }
    public string CanonicalConfig => _canonicalConfig.Value;
    public Type OutputType => typeof(TOutput);

    object IStage.Config => Config;
    IStageCodec IStage.Codec => Codec;

    async Task<Fin<object>> IStage.RunAsync(StageInputs inputs, StageContext context) =>
        (await Run(Config, inputs, context).ConfigureAwait(false)).Map(o => (object)o);

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex StageNamePattern();
}

public static class Stage
{
    /// <summary>A stage whose run function is synchronous and pure: it computes its output from its
    /// inputs and configuration and does nothing else (<see cref="StageEffects.None"/>).</summary>
    public static StageDefinition<TConfig, TOutput> Pure<TConfig, TOutput>(
        string name, string version, TConfig config, StageCodec<TOutput> codec,
        ImmutableArray<IStageInput> inputs, Func<TConfig, StageInputs, StageContext, Fin<TOutput>> run)
        where TConfig : notnull where TOutput : class =>
        new(name, version, config, inputs, codec, (c, i, ctx) => Task.FromResult(run(c, i, ctx)));

    /// <summary>A stage whose run function is synchronous and has the declared
    /// <paramref name="effects"/> (a side cache, a model run, the clock).</summary>
    public static StageDefinition<TConfig, TOutput> Effectful<TConfig, TOutput>(
        string name, string version, StageEffects effects, TConfig config, StageCodec<TOutput> codec,
        ImmutableArray<IStageInput> inputs, Func<TConfig, StageInputs, StageContext, Fin<TOutput>> run)
        where TConfig : notnull where TOutput : class =>
        Pure(name, version, config, codec, inputs, run) with { Effects = Declared(name, effects) };

    /// <summary>A stage whose run function awaits the declared <paramref name="effects"/>
    /// (network, models) reached through interfaces it captured when it was built.</summary>
    public static StageDefinition<TConfig, TOutput> Async<TConfig, TOutput>(
        string name, string version, StageEffects effects, TConfig config, StageCodec<TOutput> codec,
        ImmutableArray<IStageInput> inputs, StageRun<TConfig, TOutput> run)
        where TConfig : notnull where TOutput : class =>
        new StageDefinition<TConfig, TOutput>(name, version, config, inputs, codec, run) with { Effects = Declared(name, effects) };

    static StageEffects Declared(string name, StageEffects effects) =>
        effects != StageEffects.None ? effects
            : throw new ArgumentException($"stage '{name}' declares no effects: build it with Stage.Pure", nameof(effects));
}
