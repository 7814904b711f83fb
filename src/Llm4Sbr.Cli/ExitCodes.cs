namespace Llm4Sbr.Cli;

public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A stage failed, or something broke while running.</summary>
    public const int RunFailed = 1;
    /// <summary>The pipeline or the options are invalid; nothing ran.</summary>
    public const int Invalid = 2;
    public const int Canceled = 130;
}
