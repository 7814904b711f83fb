namespace Llm4Sbr.Core.Localization;

/// <summary>Intent localization settings. <paramref name="TopK"/> is the paper's k (0..5 in the
/// paper; 0 keeps the raw answer embedding). The rest tune speed only, never results:
/// <paramref name="QueryBlockRows"/> query rows are scored together against
/// <paramref name="ItemTilePanels"/> panels of items at a time (memory per worker is
/// <c>QueryBlockRows * ItemTilePanels * 2 * Vector&lt;float&gt;.Count</c> floats plus the block's query rows);
/// <paramref name="MaxDegreeOfParallelism"/> caps the worker threads (-1: all cores).</summary>
public sealed record LocalizationOptions(
    int TopK,
    int QueryBlockRows = 96,
    int ItemTilePanels = 16,
    int MaxDegreeOfParallelism = -1);
