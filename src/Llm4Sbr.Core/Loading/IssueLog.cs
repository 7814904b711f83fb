using System.Collections.Immutable;
using Llm4Sbr.Core.Errors;

namespace Llm4Sbr.Core.Loading;

/// <summary>Collects the rejected lines of one file while it is parsed. Local to one parse call,
/// so the parsers stay pure functions of their input.</summary>
internal sealed class IssueLog(string file, LoadOptions options)
{
    private readonly List<LineIssue> _issues = [];
    private readonly SortedDictionary<string, long> _byReason = new(StringComparer.Ordinal);
    private long _skipped;

    public string File => file;

    /// <summary>Rejects a line: returns the error to fail with, or null when
    /// <see cref="LoadOptions.SkipBadLines"/> says to count it and go on.</summary>
    public LineError? Reject(long line, string field, string reason, string message)
    {
        var issue = new LineIssue(file, line, field, message);
        if (!options.SkipBadLines) return new LineError(issue, reason);
        Count(reason);
        if (_issues.Count < options.MaxReportedIssues) _issues.Add(issue);
        return null;
    }

    /// <summary>A blank line carries no data, so it never fails a load, but it is still counted.</summary>
    public void Blank() => Count(SkipReasons.BlankLine);

    public ParseTally ToTally(long linesRead) =>
        new(file, linesRead, _skipped, [.. _issues], _byReason.ToImmutableSortedDictionary(StringComparer.Ordinal));

    private void Count(string reason)
    {
        _skipped++;
        _byReason[reason] = _byReason.GetValueOrDefault(reason) + 1;
    }
}
