using LanguageExt;

namespace Llm4Sbr.Core.Loading;

// Signature agreed between the data and engine work; the data branch fills the body.
public static class DatasetLoader
{
    public const string Version = "1";
    /// <summary>Reads and parses both files of <paramref name="files"/>. Fails (as a value) on the
    /// first bad line unless <see cref="LoadOptions.SkipBadLines"/>; the error names file, line, field.</summary>
    public static Fin<LoadedData> Load(SourceFiles files, LoadOptions options) => throw new NotImplementedException();
}
