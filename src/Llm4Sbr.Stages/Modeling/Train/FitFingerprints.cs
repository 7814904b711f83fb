using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Llm4Sbr.Training.Batching;
using Llm4Sbr.Training.Graphs;

namespace Llm4Sbr.Stages.Modeling.Train;

/// <summary>SHA-256 fingerprints of the parts of a <see cref="TrainingData"/> a model reads: the
/// samples (with the vocabulary), each view, each training-wide graph and the item texts. A fit's memo
/// key holds the fingerprints of what its model reads and nothing else, so a change to data a model
/// does not read (a view, for a plain backbone) leaves its fit reusable. Each fingerprint is computed
/// once per stage run, on first use.</summary>
public sealed class FitFingerprints(TrainingData data)
{
    readonly Dictionary<string, string> _computed = new(StringComparer.Ordinal);

    /// <summary>The fingerprint named <paramref name="name"/>, hashed by <paramref name="write"/> on first use
    /// (the stage fits its models one after another, so no two callers race).</summary>
    string Once(string name, Action<IncrementalHash> write)
    {
        if (_computed.TryGetValue(name, out var known)) return known;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        write(hash);
        return _computed[name] = Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The item vocabulary and every sample of the fit, validation and test parts (ids,
    /// sessions, clicks, targets), in order: the carve and the order are part of what a model learns.</summary>
    public string Samples => Once("samples", hash =>
    {
        Int(hash, data.Vocabulary.Count);
        for (var i = 1; i <= data.Vocabulary.Count; i++) Int(hash, data.Vocabulary.IdAt(i));
        foreach (var part in Parts)
        {
            Int(hash, part.Count);
            foreach (var sample in part.Samples.Samples)
            {
                Long(hash, sample.Id);
                Long(hash, sample.SessionId);
                Int(hash, sample.Items.Length);
                hash.AppendData(MemoryMarshal.AsBytes(sample.Items.AsSpan()));
                Int(hash, sample.Target);
            }
        }
    });

    /// <summary>One view's vectors for the fit, validation and test samples.</summary>
    public string View(string view) => Once("view:" + view, hash =>
    {
        foreach (var part in Parts)
        {
            var rows = part.Views.Get(view).Match(m => m, e => throw new InvalidOperationException(e.Message)); // joined for every listed model's views
            Int(hash, rows.Rows);
            Int(hash, rows.Dim);
            hash.AppendData(MemoryMarshal.AsBytes(rows.Data.AsSpan()));
        }
    });

    /// <summary>The training-wide graph <paramref name="need"/> (GCE-GNN's global graph or DHCN's hypergraph).</summary>
    public string Graph(GraphNeeds need) => Once("graph:" + need, hash =>
    {
        switch (need)
        {
            case GraphNeeds.GlobalItemGraph when data.Graphs?.Global is { } global:
                Int(hash, global.Epsilon);
                Int(hash, global.SampleNum);
                Long(hash, (long)global.Seed);
                foreach (var item in global.Items)
                {
                    Int(hash, item.ItemId);
                    Ints(hash, item.Neighbours.AsSpan());
                    Ints(hash, item.Weights.AsSpan());
                    Ints(hash, item.Sample.AsSpan());
                }
                break;
            case GraphNeeds.ItemHypergraph when data.Graphs?.Hypergraph is { } hypergraph:
                Ints(hash, hypergraph.Items.AsSpan());
                Int(hash, hypergraph.Edges.Length);
                hash.AppendData(MemoryMarshal.AsBytes(hypergraph.Edges.AsSpan()));
                Csr(hash, hypergraph.Incidence);
                Csr(hash, hypergraph.Adjacency);
                break;
            default:
                throw new InvalidOperationException($"the training data holds no {need}"); // read for every listed model that needs it
        }
    });

    /// <summary>The items' text embeddings (LLM2X's initialisation, LLMSeqSim).</summary>
    public string ItemTexts => Once("texts", hash =>
    {
        var texts = data.ItemTexts ?? throw new InvalidOperationException("the training data holds no item texts"); // read for every listed model that needs them
        Int(hash, texts.Rows);
        Int(hash, texts.Dim);
        hash.AppendData(MemoryMarshal.AsBytes(texts.Data.AsSpan()));
    });

    IEnumerable<TrainingSplit> Parts => [data.Fit, data.Validation, data.Test];

    static void Csr(IncrementalHash hash, CsrMatrix matrix)
    {
        Int(hash, matrix.Rows);
        Int(hash, matrix.Columns);
        Ints(hash, matrix.RowPointers);
        Ints(hash, matrix.ColumnIndices);
        Int(hash, matrix.Values.Length);
        hash.AppendData(MemoryMarshal.AsBytes(matrix.Values.AsSpan()));
    }

    static void Ints(IncrementalHash hash, ReadOnlySpan<int> values)
    {
        Int(hash, values.Length);
        hash.AppendData(MemoryMarshal.AsBytes(values));
    }

    static void Int(IncrementalHash hash, int value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BitConverter.TryWriteBytes(buffer, value);
        hash.AppendData(buffer);
    }

    static void Long(IncrementalHash hash, long value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BitConverter.TryWriteBytes(buffer, value);
        hash.AppendData(buffer);
    }
}
