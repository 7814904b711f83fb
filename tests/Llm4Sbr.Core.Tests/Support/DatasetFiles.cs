using LanguageExt;
using Llm4Sbr.Core.Loading;

namespace Llm4Sbr.Core.Tests.Support;

/// <summary>The tests' own edge: opens a dataset's two files and parses them as the engine's
/// dataset source does (Core opens no files).</summary>
public static class DatasetFiles
{
    public static Fin<LoadedData> Parse(SourceFiles files, LoadOptions options)
    {
        using var items = File.OpenRead(files.ItemsPath);
        using var interactions = File.OpenRead(files.InteractionsPath);
        return DatasetDecoding.Parse(files.Format, interactions, files.InteractionsPath, items, files.ItemsPath, options);
    }
}
