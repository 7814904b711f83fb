using System.Collections.Immutable;

namespace Llm4Sbr.Training.Batching;

/// <summary>The batch formats a backbone can read. A model's registry entry names its format, so the
/// pipeline knows which preparations to plan (a run with only sequential models builds no graphs).</summary>
public enum BatchFormat
{
    /// <summary>SR-GNN's session graphs (<see cref="GraphBatch"/>): distinct items as nodes, normalised in- and out-edges.</summary>
    SessionGraph,
    /// <summary>Padded item sequences (<see cref="SequenceBatch"/>), cut to a maximum length.</summary>
    Sequence,
    /// <summary>GCE-GNN's session graphs (<see cref="TypedGraphBatch"/>): distinct items as nodes, typed
    /// edges (self, in, out, in-out), clicks in reversed order; built per batch from the prefixes.</summary>
    TypedSessionGraph,
}

/// <summary>Where the real items of a padded sequence sit: <see cref="Right"/> puts them first and the
/// padding after (RecBole, GRU4Rec: the state at the last real position ignores what follows);
/// <see cref="Left"/> puts the padding first, so the last click is always the last column (SASRec's
/// official code).</summary>
public enum SequenceAlignment { Left, Right }

/// <summary>How a sequential backbone wants its items: aligned as it needs, the most recent
/// <see cref="MaxLength"/> clicks of each prefix.</summary>
public sealed record SequenceLayout(SequenceAlignment Alignment, int MaxLength);

/// <summary>What a model reads from a batch: the session graphs, padded sequences (their layout), and
/// the view embeddings named in <see cref="Views"/>. Targets are always there.</summary>
public sealed record BatchInput(bool SessionGraphs, SequenceLayout? Sequence, ImmutableArray<string> Views)
{
    /// <summary>GCE-GNN's typed session graphs (<see cref="TypedGraphBatch"/>).</summary>
    public bool TypedSessionGraphs { get; init; }

    public static BatchInput Graphs { get; } = new(true, null, []);
    public static BatchInput TypedGraphs { get; } = new(false, null, []) { TypedSessionGraphs = true };
    public static BatchInput Sequences(SequenceLayout layout) => new(false, layout, []);
    public BatchInput WithViews(ImmutableArray<string> views) => this with { Views = views };
}
