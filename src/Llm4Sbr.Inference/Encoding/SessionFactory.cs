using LanguageExt;
using LanguageExt.Common;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Inference.Encoding;

/// <summary>Creates the ONNX Runtime session: CUDA when asked for (or Auto) and its provider loads,
/// else CPU with a one-line notice. A CUDA provider that fails to load (no GPU, no CUDA libraries:
/// the normal case on CPU machines) is a value here, never a crash.</summary>
internal static class SessionFactory
{
    public static Fin<(InferenceSession Session, string Device)> Create(byte[] onnx, EncoderOptions options, string source, ILogger logger)
    {
        if (options.Device != ExecutionDevice.Cpu && options.Precision == EncoderPrecision.Int8)
            logger.Log(options.Device == ExecutionDevice.Cuda ? LogLevel.Warning : LogLevel.Information,
                "Encoder: int8 precision runs on CPU (its quantized operators have no CUDA kernels); use precision fp32 for CUDA");
        else if (options.Device != ExecutionDevice.Cpu)
        {
            var cuda = TryCuda(onnx, options);
            if (cuda.Session is not null) return FinSucc((cuda.Session, "cuda"));
            var level = options.Device == ExecutionDevice.Cuda ? LogLevel.Warning : LogLevel.Information;
            logger.Log(level, "Encoder: CUDA execution provider unavailable ({Reason}); running on CPU", cuda.Reason);
        }
        try
        {
            using var cpu = CpuOptions(options);
            return FinSucc((new InferenceSession(onnx, cpu), "cpu"));
        }
        catch (OnnxRuntimeException e)
        {
            return FinFail<(InferenceSession, string)>(Error.New($"ONNX Runtime cannot load the encoder model {source}: {e.Message}"));
        }
    }

    private static SessionOptions CpuOptions(EncoderOptions options)
    {
        var session = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.IntraOpThreads > 0
                ? options.IntraOpThreads
                : Math.Max(1, Environment.ProcessorCount / CpuWorkers(options)),
        };
        // Spinning worker threads burn the cores between ops; on a shared machine (and in a
        // pipeline that tokenizes and pools between runs) yielding them is faster overall.
        session.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return session;
    }

    /// <summary>Concurrent forward passes on CPU: as asked, else one per core.</summary>
    public static int CpuWorkers(EncoderOptions options) => options.Workers > 0 ? options.Workers : Environment.ProcessorCount;

    private static (InferenceSession? Session, string Reason) TryCuda(byte[] onnx, EncoderOptions options)
    {
        using var session = CpuOptions(options);
        // ORT prints its own error line when the provider library fails to load; raise its log
        // threshold for the attempt so the notice above is the only line, then restore it.
        var env = OrtEnv.Instance();
        var previous = env.EnvLogLevel;
        env.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
        try
        {
            session.AppendExecutionProvider_CUDA(0);
            return (new InferenceSession(onnx, session), "");
        }
        catch (OnnxRuntimeException e)
        {
            return (null, FirstLine(e.Message));
        }
        finally
        {
            env.EnvLogLevel = previous;
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
