using Llm4Sbr.Training.Models;
using TorchSharp;
using Llm4Sbr.Training.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Tests.Models;

public class InitialisationTests
{
    /// <summary>The item table has no padding row, yet a seed must give the weights it gave when the table
    /// had one (format-1 checkpoints, published figures): row 0 of the reference draw is dropped, and
    /// every later parameter continues the same generator stream.</summary>
    [Fact]
    public void A_seed_draws_the_padded_reference_table_and_drops_its_padding_row()
    {
        const int itemSlots = 11, hidden = 6;
        using var scope = NewDisposeScope();
        using var model = TestModels.Create("srgnn", itemSlots, hidden, seed: 3);
        double bound = 1.0 / Math.Sqrt(hidden);
        using var generator = new Generator(3);
        var expectedTable = empty(itemSlots, hidden).uniform_(-bound, bound, generator);
        var expectedNext = empty(3 * hidden, 2 * hidden).uniform_(-bound, bound, generator); // gnn.w_ih, drawn next

        var state = model.state_dict();
        Assert.Equal(new long[] { itemSlots - 1, hidden }, state["backbone.encoder.embedding.weight"].shape);
        Assert.True(state["backbone.encoder.embedding.weight"].equal(expectedTable[1..]).all().item<bool>());
        Assert.True(state["backbone.encoder.gnn.w_ih"].equal(expectedNext).all().item<bool>());
    }
}
