using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Evaluation;
using Llm4Sbr.Training.Optimisation;
using static TorchSharp.torch;

namespace Llm4Sbr.Training.Fitting;

/// <summary>Where a run keeps its epoch checkpoints: the latest one to resume from, and a place to save
/// the next. The trainer saves one after every epoch that is not the run's last, on the CPU (its Adam's
/// state can be taken; torch's Adam on other devices restarts the run instead).</summary>
public interface IEpochCheckpoints
{
    /// <summary>The latest checkpoint of this run, or null when there is none (or none that can be read:
    /// the store says why).</summary>
    EpochCheckpoint? Latest();

    /// <summary>Keeps <paramref name="checkpoint"/> in place of the previous one (atomically: a run killed
    /// while saving resumes from the previous one).</summary>
    void Save(EpochCheckpoint checkpoint);
}

/// <summary>A run's whole state after a finished epoch: the weights, the selected epoch's weights, Adam's
/// moments, the random generators' states, the selection rule's state and the epochs' records. A run
/// resumed from it continues exactly as the uninterrupted run would have (the epoch order is seeded by
/// the epoch, the learning rate follows the epoch count, and every random draw comes from a generator
/// saved here), so a resumed fit gives the same result, bit for bit (<c>EpochResumeTests</c>).
/// Owns its tensors: dispose it.</summary>
public sealed class EpochCheckpoint : IDisposable
{
    public required string Model { get; init; }
    public required ulong Seed { get; init; }
    /// <summary>Epochs done.</summary>
    public required int Epoch { get; init; }
    public required EpochSelection Selection { get; init; }
    public required ImmutableArray<EpochRecord> Epochs { get; init; }
    public required ImmutableArray<EpochTiming> Timings { get; init; }
    public required RankingMetrics? BestValidation { get; init; }
    public required EvaluationResult? BestTest { get; init; }
    public required IReadOnlyDictionary<string, Tensor> Weights { get; init; }
    /// <summary>The selected epoch's weights; null when it is this epoch (they are <see cref="Weights"/>).</summary>
    public required IReadOnlyDictionary<string, Tensor>? Best { get; init; }
    public required UpdaterState Updater { get; init; }
    /// <summary>torch's default CPU generator (dropout draws from it).</summary>
    public required Tensor RandomState { get; init; }
    /// <summary>The model's own generators (<see cref="Models.SessionModel.TrainingGenerators"/>), in order.</summary>
    public required ImmutableArray<Tensor> GeneratorStates { get; init; }

    public void Dispose()
    {
        foreach (var t in Weights.Values) t.Dispose();
        foreach (var t in Best?.Values ?? []) t.Dispose();
        RandomState.Dispose();
        foreach (var t in GeneratorStates) t.Dispose();
    }
}

/// <summary>An <see cref="EpochCheckpoint"/> as two files in a folder: <c>tensors.bin</c> (every tensor,
/// Adam's moments and the test ranks, in a plain length-prefixed layout) and <c>state.json</c> (the rest,
/// with the SHA-256 of <c>tensors.bin</c>), written last, so a folder with a readable state.json whose
/// digest matches holds a whole checkpoint.</summary>
public static class EpochCheckpointFiles
{
    public const string StateFile = "state.json";
    public const string TensorsFile = "tensors.bin";
    const int Format = 1;

    static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
    };

    sealed record State(int Format, string Model, ulong Seed, int Epoch, EpochSelection Selection, ImmutableArray<EpochRecord> Epochs,
        ImmutableArray<EpochTiming> Timings, RankingMetrics? BestValidation, RankingMetrics? BestTestMetrics, int BestTestUnknownTargets,
        long BestTestUnknownPrefixItems, bool HasBestTest, bool HasBest, int Generators, long Steps, string TensorsSha256);

    public static void Write(EpochCheckpoint c, string directory)
    {
        Directory.CreateDirectory(directory);
        var tensorsPath = Path.Combine(directory, TensorsFile);
        using (var stream = new FileStream(tensorsPath, FileMode.Create, FileAccess.Write))
        using (var w = new BinaryWriter(stream))
        {
            WriteDictionary(w, c.Weights);
            if (c.Best is not null) WriteDictionary(w, c.Best);
            WriteTensor(w, c.RandomState);
            foreach (var g in c.GeneratorStates) WriteTensor(w, g);
            WriteArrays(w, c.Updater.FirstMoments);
            WriteArrays(w, c.Updater.SecondMoments);
            var ranks = c.BestTest?.Ranks ?? [];
            w.Write(ranks.Length);
            foreach (var r in ranks) w.Write(r);
            w.Flush();
            stream.Flush(flushToDisk: true);
        }
        var digest = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(tensorsPath)));
        var state = new State(Format, c.Model, c.Seed, c.Epoch, c.Selection, c.Epochs, c.Timings, c.BestValidation, c.BestTest?.Metrics,
            c.BestTest?.UnknownTargets ?? 0, c.BestTest?.UnknownPrefixItems ?? 0, c.BestTest is not null, c.Best is not null,
            c.GeneratorStates.Length, c.Updater.Steps, digest);
        File.WriteAllText(Path.Combine(directory, StateFile), JsonSerializer.Serialize(state, Json));
    }

    /// <summary>The checkpoint in <paramref name="directory"/>; an error naming the file and what is wrong
    /// when it is missing, of another format, or its tensors do not match their digest.</summary>
    public static Fin<EpochCheckpoint> Read(string directory)
    {
        var statePath = Path.Combine(directory, StateFile);
        var tensorsPath = Path.Combine(directory, TensorsFile);
        try
        {
            if (!File.Exists(statePath)) return Error.New($"{statePath}: no epoch checkpoint");
            var s = JsonSerializer.Deserialize<State>(File.ReadAllText(statePath), Json);
            if (s is null || s.Format != Format) return Error.New($"{statePath}: format {s?.Format} is not {Format}");
            var bytes = File.ReadAllBytes(tensorsPath);
            if (Convert.ToHexString(SHA256.HashData(bytes)) != s.TensorsSha256)
                return Error.New($"{tensorsPath}: its SHA-256 is not the one {StateFile} recorded (a partial or damaged write)");
            using var r = new BinaryReader(new MemoryStream(bytes));
            var weights = ReadDictionary(r);
            var best = s.HasBest ? ReadDictionary(r) : null;
            var random = ReadTensor(r);
            var generators = Enumerable.Range(0, s.Generators).Select(_ => ReadTensor(r)).ToImmutableArray();
            var first = ReadArrays(r);
            var second = ReadArrays(r);
            var ranks = new int[r.ReadInt32()];
            for (int i = 0; i < ranks.Length; i++) ranks[i] = r.ReadInt32();
            return new EpochCheckpoint
            {
                Model = s.Model, Seed = s.Seed, Epoch = s.Epoch, Selection = s.Selection, Epochs = s.Epochs, Timings = s.Timings,
                BestValidation = s.BestValidation,
                BestTest = s.HasBestTest ? new EvaluationResult(s.BestTestMetrics!, s.BestTestUnknownTargets, s.BestTestUnknownPrefixItems, [.. ranks]) : null,
                Weights = weights, Best = best, Updater = new UpdaterState(s.Steps, first, second),
                RandomState = random, GeneratorStates = generators,
            };
        }
        catch (Exception e) when (e is IOException or JsonException or EndOfStreamException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Error.New($"{directory}: the epoch checkpoint cannot be read ({e.Message})");
        }
    }

    static void WriteDictionary(BinaryWriter w, IReadOnlyDictionary<string, Tensor> tensors)
    {
        w.Write(tensors.Count);
        foreach (var (name, t) in tensors.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.Write(name);
            WriteTensor(w, t);
        }
    }

    static Dictionary<string, Tensor> ReadDictionary(BinaryReader r)
    {
        int count = r.ReadInt32();
        var tensors = new Dictionary<string, Tensor>(count);
        for (int i = 0; i < count; i++)
        {
            var name = r.ReadString();
            tensors[name] = ReadTensor(r);
        }
        return tensors;
    }

    static void WriteTensor(BinaryWriter w, Tensor t)
    {
        // The detached, CPU and contiguous handles are new tensors even where the data is not copied.
        using var scope = NewDisposeScope();
        var cpu = t.detach().cpu().contiguous();
        w.Write((int)cpu.dtype);
        w.Write(cpu.shape.Length);
        foreach (var d in cpu.shape) w.Write(d);
        var bytes = cpu.bytes;
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    static Tensor ReadTensor(BinaryReader r)
    {
        var dtype = (ScalarType)r.ReadInt32();
        var shape = new long[r.ReadInt32()];
        for (int i = 0; i < shape.Length; i++) shape[i] = r.ReadInt64();
        var bytes = r.ReadBytes(r.ReadInt32());
        // The checkpoint owns what it reads, whatever dispose scope the reader runs in.
        var t = empty(shape, dtype).DetachFromDisposeScope();
        if (bytes.Length != t.bytes.Length)
        {
            t.Dispose();
            throw new ArgumentException($"a {dtype} tensor of shape [{string.Join(", ", shape)}] holds {bytes.Length} bytes");
        }
        bytes.CopyTo(t.bytes);
        return t;
    }

    static void WriteArrays(BinaryWriter w, float[][] arrays)
    {
        w.Write(arrays.Length);
        foreach (var a in arrays)
        {
            w.Write(a.Length);
            w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()));
        }
    }

    static float[][] ReadArrays(BinaryReader r)
    {
        var arrays = new float[r.ReadInt32()][];
        for (int i = 0; i < arrays.Length; i++)
        {
            arrays[i] = new float[r.ReadInt32()];
            var bytes = r.ReadBytes(arrays[i].Length * sizeof(float));
            if (bytes.Length != arrays[i].Length * sizeof(float)) throw new EndOfStreamException("Adam's moments are cut short");
            bytes.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(arrays[i].AsSpan()));
        }
        return arrays;
    }
}
