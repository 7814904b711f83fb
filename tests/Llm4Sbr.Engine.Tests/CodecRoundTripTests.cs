using System.Collections.Immutable;
using CsCheck;
using Llm4Sbr.Engine.Parquet;
using Llm4Sbr.Engine.Tests.Support;
using Llm4Sbr.Tests;

namespace Llm4Sbr.Engine.Tests;

/// <summary>Parquet tables round-trip what they write (the data stages' codecs are tested with them,
/// in Llm4Sbr.Stages.Tests).</summary>
public sealed class CodecRoundTripTests : IDisposable
{
    readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("llm4sbr-parquet-tests-");
    public void Dispose() => _folder.Delete(recursive: true);

    static readonly Gen<ImmutableArray<int>> ItemList = Gen.Int.Array[0, 12].Select(a => a.ToImmutableArray());

    [Fact]
    public Task Lists_survive_row_group_boundaries() =>
        Gen.Select(ItemList.Array[0, 50], Gen.Int[1, 7]).CheckFixedAsync(async (lists, groupSize) =>
        {
            var table = new ParquetTable<ImmutableArray<int>>("lists.parquet", "test", Col.Int32List<ImmutableArray<int>>("items", "test", l => l))
            {
                RowGroupSize = groupSize,
            };
            var folder = _folder.CreateSubdirectory(Guid.NewGuid().ToString("N")).FullName;
            await table.WriteAsync(folder, lists, CancellationToken.None);
            var back = (await table.ReadAsync(folder, CancellationToken.None)).Value();
            Assert.Equal(lists.Length, back.RowCount);
            Structural.Equal(lists, back.Int32List("items"));
        }, iter: 40);
}
