using System.Collections.Immutable;
using LanguageExt;
using Llm4Sbr.Engine.Parquet;

namespace Llm4Sbr.Engine.Stages;

/// <summary>Writes a stage's output record as files (Parquet) into a folder and reads it back.
/// <see cref="Id"/> (name and schema version, e.g. <c>sample-set/1</c>) is part of the memo key:
/// change it whenever the files' layout changes, so old cache entries are not misread.</summary>
public interface IStageCodec
{
    string Id { get; }
    Type ValueType { get; }
    /// <summary>The documented schema of every file the codec writes.</summary>
    ImmutableArray<TableDoc> Tables { get; }
    Task<ImmutableArray<string>> WriteAsync(object value, string directory, CancellationToken cancellationToken);
    Task<Fin<object>> ReadAsync(string directory, CancellationToken cancellationToken);
    /// <summary>Rows per table, for manifests and summaries.</summary>
    ImmutableSortedDictionary<string, long> RowCounts(object value);
}

/// <summary>Typed base for codecs; the engine sees the untyped <see cref="IStageCodec"/>.</summary>
public abstract class StageCodec<T> : IStageCodec where T : class
{
    public abstract string Id { get; }
    public abstract ImmutableArray<TableDoc> Tables { get; }
    public Type ValueType => typeof(T);

    /// <summary>Writes the files and returns their names (relative to <paramref name="directory"/>).</summary>
    public abstract Task<ImmutableArray<string>> WriteAsync(T value, string directory, CancellationToken cancellationToken);
    public abstract Task<Fin<T>> ReadAsync(string directory, CancellationToken cancellationToken);
    public abstract ImmutableSortedDictionary<string, long> RowCounts(T value);

    Task<ImmutableArray<string>> IStageCodec.WriteAsync(object value, string directory, CancellationToken cancellationToken) =>
        WriteAsync(Cast(value), directory, cancellationToken);

    async Task<Fin<object>> IStageCodec.ReadAsync(string directory, CancellationToken cancellationToken) =>
        (await ReadAsync(directory, cancellationToken).ConfigureAwait(false)).Map(v => (object)v);

    ImmutableSortedDictionary<string, long> IStageCodec.RowCounts(object value) => RowCounts(Cast(value));

    static T Cast(object value) => value as T
        ?? throw new ArgumentException($"codec for {typeof(T).Name} was given a {value.GetType().Name}");
}
