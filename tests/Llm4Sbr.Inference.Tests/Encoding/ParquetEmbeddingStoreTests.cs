using CsCheck;
using Llm4Sbr.Core.Embeddings;
using Llm4Sbr.Inference.Encoding;
using Xunit;

namespace Llm4Sbr.Inference.Tests.Encoding;

public class ParquetEmbeddingStoreTests
{
    private static readonly Gen<(string[] Hashes, EmbeddingMatrix Vectors)> Entries =
        from dim in Gen.Int[1, 20]
        from rows in Gen.Int[1, 40]
        from texts in Gen.String.ArrayUnique[rows]
        from data in Gen.Float.Array[rows * dim]
        select (texts.Select(TextHash.Sha256Hex).ToArray(), new EmbeddingMatrix(rows, dim, data));

    [Fact]
    public void What_is_added_is_found_again_bit_for_bit_by_a_new_store_on_the_same_folder()
    {
        Entries.CheckFixed(e =>
        {
            using var folder = new TemporaryFolder();
            Assert.True(new ParquetEmbeddingStore(folder.Path).Add("model-a", e.Hashes, e.Vectors).IsSucc);
            var found = new ParquetEmbeddingStore(folder.Path).Find("model-a", e.Vectors.Dim, e.Hashes).Match(f => f, err => throw new Xunit.Sdk.XunitException(err.Message));
            Assert.Equal(e.Hashes.Length, found.Count);
            for (int i = 0; i < e.Hashes.Length; i++)
                Assert.Equal(
                    e.Vectors.Row(i).ToArray().Select(BitConverter.SingleToInt32Bits),
                    found[e.Hashes[i]].ToArray().Select(BitConverter.SingleToInt32Bits));
        }, iter: 25);
    }

    [Fact]
    public void Models_do_not_see_each_others_vectors()
    {
        Entries.CheckFixed(e =>
        {
            using var folder = new TemporaryFolder();
            var store = new ParquetEmbeddingStore(folder.Path);
            store.Add("model-a", e.Hashes, e.Vectors);
            Assert.Empty(store.Find("model-b", e.Vectors.Dim, e.Hashes).Match(f => f, err => throw new Xunit.Sdk.XunitException(err.Message)));
            Assert.Empty(new ParquetEmbeddingStore(folder.Path).Find("model:b/../a", e.Vectors.Dim, e.Hashes).Match(f => f, err => throw new Xunit.Sdk.XunitException(err.Message)));
        }, iter: 10);
    }

    [Fact]
    public void Each_add_writes_one_whole_shard_and_leaves_no_temporary_file()
    {
        Entries.CheckFixed(e =>
        {
            using var folder = new TemporaryFolder();
            var store = new ParquetEmbeddingStore(folder.Path);
            int half = e.Hashes.Length / 2;
            store.Add("m", e.Hashes[..half], Slice(e.Vectors, 0, half));
            store.Add("m", e.Hashes, e.Vectors); // the first half is known: only the rest is written
            store.Add("m", e.Hashes, e.Vectors); // nothing new: nothing written
            Assert.Equal(half == 0 ? 1 : 2, folder.Files("*.parquet").Count());
            Assert.Empty(folder.Files("*.tmp"));
        }, iter: 10);
    }

    [Fact]
    public void An_unreadable_shard_is_skipped_with_a_warning_naming_it()
    {
        using var folder = new TemporaryFolder();
        var logger = new RecordingLogger();
        var store = new ParquetEmbeddingStore(folder.Path);
        var vectors = new EmbeddingMatrix(2, 3, [1, 2, 3, 4, 5, 6]);
        string[] hashes = [TextHash.Sha256Hex("a"), TextHash.Sha256Hex("b")];
        store.Add("m", hashes[..1], Slice(vectors, 0, 1));
        store.Add("m", hashes[1..], Slice(vectors, 1, 1));
        string broken = folder.Files("*.parquet").Order().First();
        File.WriteAllBytes(broken, File.ReadAllBytes(broken)[..20]);

        var found = new ParquetEmbeddingStore(folder.Path, logger).Find("m", 3, hashes).Match(f => f, e => throw new Xunit.Sdk.XunitException(e.Message));
        Assert.Single(found);
        Assert.Contains(logger.Messages, m => m.Contains(broken));
    }

    [Fact]
    public void A_damaged_shard_never_throws_it_is_read_or_skipped()
    {
        var gen = from e in Entries
                  from damage in Gen.Select(Gen.Int[0, 100_000], Gen.Byte).Array[1, 8]
                  from cut in Gen.Int[-100_000, 100_000]
                  select (e, damage, cut);
        gen.CheckFixed(t =>
        {
            var (e, damage, cut) = t;
            using var folder = new TemporaryFolder();
            new ParquetEmbeddingStore(folder.Path).Add("m", e.Hashes, e.Vectors);
            string shard = folder.Files("*.parquet").Single();
            var bytes = File.ReadAllBytes(shard);
            foreach (var (position, value) in damage) bytes[position % bytes.Length] = value;
            if (cut > 0) bytes = bytes[..(cut % bytes.Length)];
            File.WriteAllBytes(shard, bytes);
            var found = new ParquetEmbeddingStore(folder.Path, new RecordingLogger()).Find("m", e.Vectors.Dim, e.Hashes);
            Assert.True(found.IsSucc);
        }, iter: 150);
    }

    [Fact]
    public void Mismatched_counts_and_dimensions_are_errors()
    {
        using var folder = new TemporaryFolder();
        var store = new ParquetEmbeddingStore(folder.Path);
        var vectors = new EmbeddingMatrix(1, 3, [1, 2, 3]);
        Assert.True(store.Add("m", ["x", "y"], vectors).IsFail);
        store.Add("m", ["x"], vectors);
        Assert.Contains("3-dim", store.Find("m", 4, ["x"]).Match(_ => "", e => e.Message));
    }

    private static EmbeddingMatrix Slice(EmbeddingMatrix m, int first, int count) =>
        new(count, m.Dim, m.Data.AsSpan(first * m.Dim, count * m.Dim).ToArray());
}
