using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Llm4Sbr.Engine.Memo;

/// <summary>A file that is not what its manifest says: its name in the folder and why.</summary>
public sealed record FileProblem(string Name, string Reason)
{
    public override string ToString() => $"{Name} {Reason}";
}

/// <summary>Checks a folder's files against the sizes and SHA-256 its <c>manifest.json</c> lists: a
/// cache entry (<see cref="MemoManifest"/>) or a run's stage folder (<c>RunStageManifest</c>), which
/// both keep them under <c>files</c>.</summary>
public static class ManifestFiles
{
    /// <summary>The first file that does not match, or null when all do.</summary>
    public static async Task<FileProblem?> CheckAsync(string directory, IEnumerable<ManifestFile> files, CancellationToken ct)
    {
        foreach (var file in files)
        {
            if (Path.GetFileName(file.Name) != file.Name) return new(file.Name, "is listed outside the folder");
            var path = Path.Combine(directory, file.Name);
            if (!File.Exists(path)) return new(file.Name, "is missing");
            var bytes = new FileInfo(path).Length;
            if (bytes != file.Bytes) return new(file.Name, $"has {bytes} bytes, the manifest says {file.Bytes}");
            var sha = await FileHashing.Sha256Async(path, ct).ConfigureAwait(false);
            if (sha != file.Sha256) return new(file.Name, $"does not match its SHA-256 (the manifest says {file.Sha256[..16]}..., the file has {sha[..16]}...)");
        }
        return null;
    }

    /// <summary>Checks every file <paramref name="directory"/>'s <c>manifest.json</c> lists; a missing or
    /// unreadable manifest is a problem too.</summary>
    public static async Task<FileProblem?> CheckFolderAsync(string directory, CancellationToken ct)
    {
        var path = Path.Combine(directory, MemoManifest.FileName);
        if (!File.Exists(path)) return new(MemoManifest.FileName, "is missing");
        ImmutableArray<ManifestFile>? files;
        try
        {
            files = JsonNode.Parse(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false))?["files"]
                ?.Deserialize<ImmutableArray<ManifestFile>>(MemoManifest.Json);
        }
        catch (JsonException e)
        {
            return new(MemoManifest.FileName, $"is not valid: {e.Message}");
        }
        return files is { IsDefault: false } listed
            ? await CheckAsync(directory, listed, ct).ConfigureAwait(false)
            : new(MemoManifest.FileName, "lists no files");
    }
}
