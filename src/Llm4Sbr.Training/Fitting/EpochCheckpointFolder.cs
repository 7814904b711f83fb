using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Llm4Sbr.Training.Fitting;

/// <summary>Epoch checkpoints in a folder: each in <c>epoch-NNNN/</c> (<see cref="EpochCheckpointFiles"/>).
/// A new one is written whole before the older ones are deleted, so a run killed at any moment leaves at
/// least one readable checkpoint, or none before the first epoch ended. <see cref="Latest"/> takes the
/// newest that reads back and says (as a warning) why it passed over any other.</summary>
public sealed class EpochCheckpointFolder(string folder, ILogger logger) : IEpochCheckpoints
{
    const string Prefix = "epoch-";

    public string Folder { get; } = folder;

    public EpochCheckpoint? Latest()
    {
        foreach (var (_, directory) in Saved().OrderByDescending(s => s.Epoch))
        {
            var read = EpochCheckpointFiles.Read(directory);
            if (read.Case is EpochCheckpoint checkpoint) return checkpoint;
            logger.LogWarning("passing over an epoch checkpoint: {Reason}", read.Match(_ => "", e => e.Message));
        }
        return null;
    }

    public void Save(EpochCheckpoint checkpoint)
    {
        var directory = Path.Combine(Folder, Prefix + checkpoint.Epoch.ToString("D4", CultureInfo.InvariantCulture));
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        try
        {
            EpochCheckpointFiles.Write(checkpoint, directory);
        }
        catch (Exception e)
        {
            // A partial checkpoint would never be read (its digest is written last) but would hold the space
            // a full disk needs back; the older checkpoints stay, so the fit still resumes from them.
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            if (e is IOException or UnauthorizedAccessException)
                throw new IOException($"cannot save the epoch {checkpoint.Epoch} checkpoint of {checkpoint.Model} (seed {checkpoint.Seed}) in {directory}: {e.Message}", e);
            throw;
        }
        foreach (var (epoch, older) in Saved())
            if (epoch != checkpoint.Epoch) Directory.Delete(older, recursive: true);
    }

    IEnumerable<(int Epoch, string Directory)> Saved() =>
        !Directory.Exists(Folder)
            ? []
            : Directory.EnumerateDirectories(Folder, Prefix + "*")
                .Select(d => (Ok: int.TryParse(Path.GetFileName(d)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var e), Epoch: e, Directory: d))
                .Where(s => s.Ok)
                .Select(s => (s.Epoch, s.Directory))
                .ToList();
}
