namespace Llm4Sbr.Training.Models.Backbones;

/// <summary>How a sequential backbone (GRU4Rec, SASRec) forms its final session vector.
/// <see cref="Concat"/>: W [long; short] with long the sequence state at the last click and short that
/// click's item embedding, SR-GNN's combination, which LLM4SBR's short view needs a vector to gate
/// (the default, for the plain backbone too, so X against LLM4SBR(X) isolates the views).
/// <see cref="State"/>: the state alone, as the backbone's own paper (a short view then changes no score).</summary>
public enum SequenceOutput { Concat, State }
