using LanguageExt;
using Llm4Sbr.Core.Loading;

namespace Llm4Sbr.Engine.DataStages;

/// <summary>The <c>load</c> stage's one effect: reading a dataset's source files.</summary>
public interface IDatasetSource
{
    Fin<LoadedData> Load(SourceFiles files, LoadOptions options);
}

/// <summary>Reads the files from disk with <see cref="DatasetLoader"/>.</summary>
public sealed class FileDatasetSource : IDatasetSource
{
    public static FileDatasetSource Instance { get; } = new();
    public Fin<LoadedData> Load(SourceFiles files, LoadOptions options) => DatasetLoader.Load(files, options);
}
