using System.Security.Cryptography;

using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Inference.Shards;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Parquet;
using Parquet.Schema;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Inference.Encoding;

/// <summary>An <see cref="IEmbeddingStore"/> on a folder of Parquet shards, one sub-folder per model
/// id. Each <see cref="Add"/> writes one shard <c>part-&lt;SHA-256 of its bytes&gt;.parquet</c> to a
/// temporary file and renames it into place, so a shard is either whole or absent (an interrupted
/// run keeps every shard it finished); a shard whose bytes do not match its name is damaged. A model's shards are read once, on first use, and kept in
/// memory. A shard that cannot be read is skipped with a warning naming it (its texts are simply
/// embedded again).
/// <para>Shard schema: <c>text_sha256</c> (string, 64 hex digits, SHA-256 of the UTF-8 text),
/// <c>embedding</c> (list&lt;float&gt;, <c>dimension</c> values); file metadata
/// <c>llm4sbr.model_id</c>, <c>llm4sbr.dimension</c>, <c>llm4sbr.schema</c> (= <see cref="SchemaVersion"/>).</para></summary>
public sealed class ParquetEmbeddingStore : IEmbeddingStore
{
    public const string SchemaVersion = "embedding-cache/1";
    private const string ModelIdKey = "llm4sbr.model_id";
    private const string DimensionKey = "llm4sbr.dimension";
    private const string SchemaKey = "llm4sbr.schema";

    private static readonly DataField<string> HashField = new("text_sha256", nullable: false);
    private static readonly DataField<float> ElementField = new("element", nullable: false);
    private static readonly ParquetSchema Schema = new(HashField, new ListField("embedding", ElementField));

    private readonly string _folder;
    private readonly ILogger _logger;
    private readonly Dictionary<string, ModelIndex> _models = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public ParquetEmbeddingStore(string folder, ILogger? logger = null)
    {
        _folder = folder;
        _logger = logger ?? NullLogger.Instance;
    }

    public Fin<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> Find(string modelId, int dimension, IReadOnlyCollection<string> textHashes)
    {
        lock (_gate)
        {
            return Index(modelId, dimension).Map(index =>
            {
                var found = new Dictionary<string, ReadOnlyMemory<float>>(StringComparer.Ordinal);
                foreach (var hash in textHashes)
                    if (index.Vectors.TryGetValue(hash, out var vector)) found[hash] = vector;
                return (IReadOnlyDictionary<string, ReadOnlyMemory<float>>)found;
            });
        }
    }

    public Fin<Unit> Add(string modelId, IReadOnlyList<string> textHashes, EmbeddingMatrix vectors)
    {
        if (textHashes.Count != vectors.Rows)
            return FinFail<Unit>(Error.New($"embedding store: {textHashes.Count} text hashes for {vectors.Rows} vectors"));
        lock (_gate)
        {
            return Index(modelId, vectors.Dim).Bind(index =>
            {
                var rows = new List<int>();
                var seen = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
                for (int i = 0; i < textHashes.Count; i++)
                    if (!index.Vectors.ContainsKey(textHashes[i]) && seen.Add(textHashes[i])) rows.Add(i);
                if (rows.Count == 0) return FinSucc(unit);
                var hashes = rows.Select(i => textHashes[i]).ToArray();
                var data = new float[rows.Count * vectors.Dim];
                for (int r = 0; r < rows.Count; r++) vectors.Row(rows[r]).CopyTo(data.AsSpan(r * vectors.Dim, vectors.Dim));
                return WriteShard(index.Folder, modelId, vectors.Dim, hashes, data).Map(_ =>
                {
                    index.Add(hashes, data);
                    return unit;
                });
            });
        }
    }

    private Fin<ModelIndex> Index(string modelId, int dimension)
    {
        if (_models.TryGetValue(modelId, out var index))
            return index.Dimension == dimension
                ? FinSucc(index)
                : FinFail<ModelIndex>(Error.New($"embedding store: model {modelId} has {index.Dimension}-dim vectors, asked for {dimension}"));
        string folder = Path.Combine(_folder, FolderName(modelId));
        index = new ModelIndex(folder, dimension);
        try
        {
            Directory.CreateDirectory(folder);
            foreach (var shard in Directory.EnumerateFiles(folder, ShardPrefix + "*" + ContentAddressedName.Extension).Order(StringComparer.Ordinal))
                ReadShard(shard, modelId, dimension).Match(
                    read => index.Add(read.Hashes, read.Data),
                    error => _logger.LogWarning("Embedding cache: skipping shard {Shard}: {Reason}", shard, error.Message));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return FinFail<ModelIndex>(Error.New($"embedding store: cannot use folder '{folder}': {e.Message}"));
        }
        _models[modelId] = index;
        return FinSucc(index);
    }

    /// <summary>Model ids become folder names: safe characters kept, and a hash of the id appended
    /// when anything had to be replaced (so two ids never share a folder).</summary>
    private static string FolderName(string modelId)
    {
        var safe = new string(modelId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        return safe == modelId && safe.Length is > 0 and <= 200
            ? safe
            : $"{safe[..Math.Min(safe.Length, 100)]}-{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(modelId)))[..16]}";
    }

    private static Fin<Unit> WriteShard(string folder, string modelId, int dimension, string[] hashes, float[] data)
    {
        string? final = null;
        string temporary = Path.Combine(folder, $".{ShardPrefix}{Guid.NewGuid():N}.tmp");
        try
        {
            var bytes = Task.Run(() => ShardBytesAsync(modelId, dimension, hashes, data)).GetAwaiter().GetResult();
            final = Path.Combine(folder, ContentAddressedName.Of(ShardPrefix, bytes));
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, final, overwrite: true);
            return FinSucc(unit);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (File.Exists(temporary)) File.Delete(temporary);
            return FinFail<Unit>(Error.New($"embedding store: cannot write shard '{final ?? temporary}': {e.Message}"));
        }
    }

    /// <summary>Shards are named by a hash of their bytes (<see cref="ContentAddressedName"/>), which
    /// reading checks first: a damaged or truncated file is recognised before the Parquet reader sees it.</summary>
    private const string ShardPrefix = "part-";

    private static async Task<byte[]> ShardBytesAsync(string modelId, int dimension, string[] hashes, float[] data)
    {
        var definition = new int[data.Length];
        var repetition = new int[data.Length];
        System.Array.Fill(definition, ElementField.MaxDefinitionLevel);
        // Repetition level 0 starts a row's list, 1 continues it.
        for (int i = 0; i < data.Length; i += dimension) repetition.AsSpan(i + 1, dimension - 1).Fill(1);
        using var stream = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(Schema, stream))
        {
            writer.CustomMetadata = new Dictionary<string, string>
            {
                [ModelIdKey] = modelId,
                [DimensionKey] = dimension.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [SchemaKey] = SchemaVersion,
            };
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(HashField, hashes);
            await group.WriteAllPartsAsync<float>(ElementField, data, definition, repetition, CancellationToken.None);
        }
        return stream.ToArray();
    }

    private static Fin<(string[] Hashes, float[] Data)> ReadShard(string path, string modelId, int dimension)
    {
        try
        {
            return Task.Run(() => ReadShardAsync(path, modelId, dimension)).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or ArgumentException
                                      or NotSupportedException or IndexOutOfRangeException or OverflowException or FormatException
                                      or ParquetException or Parquet.Meta.Proto.ThriftProtocolException)
        {
            return FinFail<(string[], float[])>(Error.New($"{e.GetType().Name}: {e.Message}"));
        }
    }

    private static async Task<Fin<(string[] Hashes, float[] Data)>> ReadShardAsync(string path, string modelId, int dimension)
    {
        static Fin<(string[], float[])> Bad(string why) => FinFail<(string[], float[])>(Error.New(why));
        var bytes = await File.ReadAllBytesAsync(path);
        if (!ContentAddressedName.Matches(path, ShardPrefix, bytes)) return Bad("its content does not match the hash in its name (damaged or not written by this store)");
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(bytes, writable: false));
        var meta = reader.CustomMetadata;
        if (!meta.TryGetValue(SchemaKey, out var schema) || schema != SchemaVersion) return Bad($"not an embedding-cache shard (schema '{schema}', expected '{SchemaVersion}')");
        if (!meta.TryGetValue(ModelIdKey, out var storedModel) || storedModel != modelId) return Bad($"holds model '{storedModel}', not '{modelId}'");
        if (!meta.TryGetValue(DimensionKey, out var storedDim) || storedDim != dimension.ToString(System.Globalization.CultureInfo.InvariantCulture))
            return Bad($"holds {storedDim}-dim vectors, not {dimension}");
        var fields = reader.Schema.GetDataFields();
        var hashField = fields.FirstOrDefault(f => f.Path.ToString() == HashField.Path.ToString());
        var elementField = fields.FirstOrDefault(f => f.Path.ToString() == ElementField.Path.ToString());
        if (hashField is null || elementField is null) return Bad($"lacks the columns {HashField.Path} and {ElementField.Path}");
        var hashes = new List<string>();
        var data = new List<float[]>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            var group = reader.OpenRowGroupReader(g);
            int rows = checked((int)group.RowCount);
            var groupHashes = new string?[rows];
            await group.ReadAsync(hashField, groupHashes.AsMemory());
            long values = group.GetMetadata(elementField)?.MetaData?.NumValues ?? -1;
            if (values != (long)rows * dimension) return Bad($"row group {g} has {values} embedding values for {rows} rows of {dimension}");
            var groupData = new float[values];
            var definition = new int[values];
            var repetition = new int[values];
            await group.ReadRawAsync<float>(elementField, groupData.AsMemory(), definition.AsMemory(), repetition.AsMemory());
            for (int i = 0; i < values; i++)
                if (definition[i] != elementField.MaxDefinitionLevel || repetition[i] != (i % dimension == 0 ? 0 : 1))
                    return Bad($"row group {g}: row {i / dimension} is not a list of {dimension} floats");
            if (groupHashes.Any(h => h is null)) return Bad($"row group {g} has a null text hash");
            hashes.AddRange(groupHashes!);
            data.Add(groupData);
        }
        return FinSucc((hashes.ToArray(), data.SelectMany(d => d).ToArray()));
    }

    /// <summary>One model's stored vectors: hash to a row of one of its shards' arrays.</summary>
    private sealed class ModelIndex(string folder, int dimension)
    {
        public string Folder { get; } = folder;
        public int Dimension { get; } = dimension;
        public Dictionary<string, ReadOnlyMemory<float>> Vectors { get; } = new(StringComparer.Ordinal);

        public void Add(string[] hashes, float[] data)
        {
            for (int i = 0; i < hashes.Length; i++) Vectors.TryAdd(hashes[i], data.AsMemory(i * Dimension, Dimension));
        }
    }
}
