namespace Llm4Sbr.Core.Errors;

/// <summary>Numeric codes carried by every <see cref="LanguageExt.Common.Error"/> the data stages
/// return, so callers (CLI exit reasons, tests) can branch on the kind of failure without parsing
/// messages. Codes are stable: add new ones, never renumber.</summary>
public static class ErrorCodes
{
    /// <summary>An input file does not exist.</summary>
    public const int FileNotFound = 2001;
    /// <summary>An input file exists but could not be read (permissions, I/O).</summary>
    public const int FileUnreadable = 2002;
    /// <summary>An input file has no header line although its format requires one.</summary>
    public const int EmptyFile = 2003;
    /// <summary>A header lacks a required column.</summary>
    public const int MissingColumn = 2004;
    /// <summary>A data line was rejected (see <see cref="LineError"/> for file, line and field).</summary>
    public const int BadLine = 2005;
    /// <summary>A stage option is out of range or not one of the valid choices.</summary>
    public const int InvalidOption = 2006;
    /// <summary>The data and the protocol's settings leave nothing to train or test on.</summary>
    public const int NoData = 2007;
}
