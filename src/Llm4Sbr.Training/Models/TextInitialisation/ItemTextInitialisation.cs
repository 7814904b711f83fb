using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Training.Models.Backbones;
using static LanguageExt.Prelude;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Models.TextInitialisation;

/// <summary>LLM2X's initialisation (Boz et al., 2024, "LLM2Sequential"; the LLM4SBR paper's LLM2SRGNN):
/// the backbone's item table starts from the items' text embeddings reduced to the hidden size by PCA
/// (<see cref="PrincipalComponents"/>, fitted on the catalogue's rows: every item of the model's
/// vocabulary), then trains as the backbone normally does. As the reference: no normalisation or
/// rescaling of the PCA coordinates, and the rows are put in the model's item order.</summary>
public static class ItemTextInitialisation
{
    /// <summary>Overwrites <see cref="SessionBackbone.ItemEmbeddings"/> with the PCA coordinates of
    /// <paramref name="itemTexts"/>, whose row j is the text embedding of the item of dense index j + 1
    /// (the table's own row order). Call it after the backbone's <c>ResetParameters</c>; it draws nothing
    /// at random, so the model stays a function of its seed and the texts.</summary>
    public static Fin<Unit> Apply(SessionBackbone backbone, EmbeddingMatrix itemTexts)
    {
        var table = backbone.ItemEmbeddings;
        long rows = table.shape[0], hidden = table.shape[1];
        if (itemTexts.Rows != rows)
            return Error.New($"the item table has {rows} rows, the item text embeddings {itemTexts.Rows}");
        return PrincipalComponents.Fit(itemTexts, (int)hidden).Map(pca =>
        {
            var reduced = pca.Project(itemTexts);
            using var noGrad = no_grad();
            using var values = tensor(reduced.Data, [rows, hidden], table.dtype);
            table.copy_(values);
            return unit;
        });
    }
}
