namespace Llm4Sbr.Engine.Memo;

/// <summary>A verified cache entry: its folder and manifest.</summary>
public sealed record MemoEntry(string Directory, MemoManifest Manifest)
{
    public string PathOf(string file) => Path.Combine(Directory, file);
}

/// <summary>What looking up a key found: a verified entry, nothing, or an entry that failed
/// verification (never handed out).</summary>
public abstract record MemoLookup
{
    public sealed record Hit(MemoEntry Entry) : MemoLookup;
    public sealed record Miss : MemoLookup;
    public sealed record Corrupt(string Reason) : MemoLookup;
}
