using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Llm4Sbr.Core.Answers;

/// <summary>Pure cleaning of an LLM reply into an item name, and its assessment.
/// <para>What is removed: reasoning blocks (<c>&lt;think&gt;…&lt;/think&gt;</c>), code fences, preamble
/// lines ("Sure! Here is my guess:"), markdown (headings, bullets, bold, backticks, links), list numbering
/// ("1. ", "1)", "(1)", "#1"), leading phrases ("The user is interested in", "Answer:", "I would guess"),
/// surrounding quotes, trailing explanations ("… because …", "… - this is …", "… (since …)"), the
/// prompt's <c>_&lt;item id&gt;</c> suffix and "(id 123)" forms, trailing '.', ',', ';', ':', and runs of
/// whitespace. A multi-line reply keeps the first line with content left after cleaning.</para>
/// <para>Not removed: " - " followed by ordinary words, since Amazon titles often read "Brand - Product";
/// leading numbers that are not list numbering ("3 Pack", "2-in-1", "1.7 oz").</para>
/// <para>Every rule only deletes characters (or swaps one space-like character for a space), and the rules
/// are applied until nothing changes, so cleaning is idempotent and never lengthens its input.</para></summary>
public static partial class AnswerCleaner
{
    /// <summary>Bump when cleaning or assessment changes.</summary>
    public const string Version = "answers-1";

    /// <summary>Longer cleaned text is treated as an explanation, not an item name (Beauty titles are under 250).</summary>
    public const int MaxUsableLength = 300;

    /// <summary>Cleans and assesses a raw reply.</summary>
    public static CleanedAnswer Assess(string raw) => Classify(Clean(raw));

    /// <summary>Cleans a raw reply (see the class remarks); the result may be empty.</summary>
    public static string Clean(string raw)
    {
        var current = raw;
        while (true)
        {
            var next = Step(current);
            if (next == current) return current;
            current = next;
        }
    }

    /// <summary>Assesses already cleaned text.</summary>
    public static CleanedAnswer Classify(string cleaned)
    {
        if (cleaned.Length == 0) return new(cleaned, AnswerStatus.Empty, "nothing left after cleaning");
        if (!cleaned.Any(char.IsLetterOrDigit)) return new(cleaned, AnswerStatus.Unusable, "no letters or digits");
        if (cleaned.Length > MaxUsableLength)
            return new(cleaned, AnswerStatus.Unusable, $"longer than {MaxUsableLength} characters after cleaning: an explanation, not an item name");
        if (NonAnswer().IsMatch(cleaned))
            return new(cleaned, AnswerStatus.Unusable, $"a refusal or non-answer: \"{Shorten(cleaned, 60)}\"");
        return new(cleaned, AnswerStatus.Ok, null);
    }

    private static string Step(string s)
    {
        s = NormalizeSpaces(s);
        s = ThinkBlock().Replace(s, "");
        if (!s.Contains('\n')) return CleanLine(s);
        // Fence lines ("```" or "```text") only exist in multi-line replies; inline backticks go with markdown.
        s = CodeFenceLine().Replace(s, "");
        return FirstLineWithContent(s);
    }

    private static string FirstLineWithContent(string s)
    {
        foreach (var line in s.Split('\n'))
        {
            // "Here is my guess:" / "The user is likely interested in:" introduce the answer on the next line.
            if (line.TrimEnd().EndsWith(':')) continue;
            var cleaned = CleanLineToFixpoint(line);
            if (cleaned.Length > 0) return cleaned;
        }
        return "";
    }

    private static string CleanLineToFixpoint(string line)
    {
        while (true)
        {
            var next = CleanLine(line);
            if (next == line) return line;
            line = next;
        }
    }

    private static string CleanLine(string s)
    {
        // Prefixes first, to a fixpoint: an explanation cut must never see "1. The user is ..." and keep only "1".
        string before;
        do
        {
            before = s;
            s = s.Trim();
            if (s.AsSpan().IndexOfAny(MarkdownCharacters) >= 0)
            {
                s = MarkdownLink().Replace(s, "$1");
                s = MarkdownEmphasis().Replace(s, "");
                if (s.Length >= 2 && (s[0] == '*' || s[0] == '_') && s[^1] == s[0]) s = s[1..^1];
            }
            s = LeadingDecoration().Replace(s, "");
            s = s.Trim().Trim(Quotes);
        } while (s != before);

        if (s.AsSpan().IndexOfAny(ExplanationWords) >= 0) s = TrailingExplanation().Replace(s, "");
        if (s.Contains('(')) s = ParenthesisedExplanation().Replace(s, "");
        s = WithoutIdSuffix(s);
        s = s.TrimEnd(TrailingPunctuation);
        s = CollapseWhitespace(s);
        return s.Trim();
    }

    private static readonly SearchValues<char> MarkdownCharacters = SearchValues.Create("*_~`[");

    // Every alternative of TrailingExplanation starts with one of these: a cheap test before the costly regex.
    private static readonly SearchValues<string> ExplanationWords = SearchValues.Create(
        ["because", "since ", "as ", "which ", "this ", "it ", "given ", "based on", "considering", "due to", "the user "],
        StringComparison.OrdinalIgnoreCase);

    private static readonly char[] TrailingPunctuation = [' ', '.', ',', ';', ':', '\t', '\u00A0'];

    // "..._123", "... _ 123", "... (id 12)", "... [item #12]" at the end.
    private static string WithoutIdSuffix(string s)
    {
        var end = s.Length;
        while (end > 0 && char.IsWhiteSpace(s[end - 1])) end--;
        if (end > 0 && (s[end - 1] == ')' || s[end - 1] == ']')) return IdInBrackets().Replace(s, "");
        var digits = end;
        while (digits > 0 && char.IsAsciiDigit(s[digits - 1])) digits--;
        if (digits == end || !(end == s.Length)) return s;
        var underscore = digits;
        while (underscore > 0 && char.IsWhiteSpace(s[underscore - 1])) underscore--;
        if (underscore == 0 || s[underscore - 1] != '_') return s;
        var cut = underscore - 1;
        while (cut > 0 && char.IsWhiteSpace(s[cut - 1])) cut--;
        return s[..cut];
    }

    private static string CollapseWhitespace(string s)
    {
        var run = false;
        for (var i = 1; i < s.Length && !run; i++) run = char.IsWhiteSpace(s[i]) && char.IsWhiteSpace(s[i - 1]);
        if (!run) return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsWhiteSpace(s[i]) && i + 1 < s.Length && char.IsWhiteSpace(s[i + 1]))
            {
                while (i + 1 < s.Length && char.IsWhiteSpace(s[i + 1])) i++;
                sb.Append(' ');
                continue;
            }
            sb.Append(s[i]);
        }
        return sb.ToString();
    }

    private static readonly char[] Quotes = ['"', '\'', '\u201C', '\u201D', '\u2018', '\u2019', '\u00AB', '\u00BB', '\u201E', '`'];

    // Same length or shorter: CR LF -> LF, lone CR -> LF, tab and no-break spaces -> space, zero-width characters dropped.
    private static string NormalizeSpaces(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '\r':
                    sb.Append('\n');
                    if (i + 1 < s.Length && s[i + 1] == '\n') i++;
                    break;
                case '\t' or '\u00A0' or '\u2007' or '\u202F' or '\u2002' or '\u2003' or '\u2009':
                    sb.Append(' ');
                    break;
                case '\u200B' or '\u200C' or '\u200D' or '\uFEFF':
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
        return sb.Length == s.Length && sb.Equals(s.AsSpan()) ? s : sb.ToString();
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..max] + "...";

    private const RegexOptions Opt = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase;

    [GeneratedRegex(@"<think>[\s\S]*?(</think>|$)", Opt)]
    private static partial Regex ThinkBlock();

    [GeneratedRegex(@"^[ ]*```[\w+-]*[ ]*$", Opt | RegexOptions.Multiline)]
    private static partial Regex CodeFenceLine();

    [GeneratedRegex(@"\[([^\[\]\n]+)\]\([^()\n]*\)", Opt)]
    private static partial Regex MarkdownLink();

    // One anchored alternation for every leading decoration (markdown lead, numbering, courtesy, "based on ...,",
    // "here is ...:", labels, "I would guess", "the user is interested in", "the item is", hedges); the loop in
    // CleanLine removes one per round until none is left.
    [GeneratedRegex(@"^(?:(?:(?:#{1,6}\s*|>\s*|[-*+\u2022]\s+))|(?:(?:\(\d{1,3}\)|\d{1,3}[.)]|#\d{1,3}[.:)]?|\d{1,3}\s*[-:])\s+)|(?:(?:sure|okay|ok|certainly|of course|absolutely|great)\b[!,.:]*\s*)|(?:based on [^,:\n]*[,:]\s*)|(?:here(?:'s|\u2019s| is| are)\b[^:\n]*:\s*)|(?:(?:final answer|answer|item name|item|my guess|guess|prediction|predicted item|recommended item|recommendation|output|result)\s*[:\-\u2013]\s*)|(?:(?:i (?:would |'d |\u2019d |will )?(?:guess|think|predict|recommend|suggest|say)|my (?:best )?guess (?:is|would be))(?: that)?\b[\s:,]*)|(?:(?:the user|this user|they|he|she)(?: is| are| might be| may be| would be| could be| will be| seems to be| appears to be)?(?: most| very| quite)?(?: likely| probably)?(?: to be)? (?:interested in|looking for|wants?|likes?|prefers?)\b[\s:,]*)|(?:the (?:next |predicted |guessed |recommended )?item(?: that)?(?: the user)? (?:is|would be|might be|may be)(?: most)?(?: likely)?(?: interested in)?(?: is)?\b[\s:,]*)|(?:(?:it is|it's|it would be|probably|likely|perhaps|maybe)\b[\s:,]+))", Opt)]
    private static partial Regex LeadingDecoration();

    [GeneratedRegex(@"\*\*|__|~~|`", Opt)]
    private static partial Regex MarkdownEmphasis();

    [GeneratedRegex(@"(?<=\S)(?:\s*[-\u2013\u2014:,;.]|\s)\s*(?:because|since (?:the|they|it|he|she|this|these|you)|as (?:it|they|the user|this|these|he|she|seen|shown|indicated)|which (?:is|are|would|might|could|suggests|indicates|matches)|this (?:is|item|product|would|could|might|suggests|indicates|matches)|it (?:is|would|might|could|seems|matches)|given (?:that|the)|based on|considering|due to|the user (?:has|is|seems|might|may|would|likely|appears|clicked|viewed)|likely because|probably because)\b.*$", Opt)]
    private static partial Regex TrailingExplanation();

    [GeneratedRegex(@"\s*\((?:because|since|as|this|it|which|based|given|likely|probably|note)\b[^\n]*$", Opt)]
    private static partial Regex ParenthesisedExplanation();

    [GeneratedRegex(@"\s*[(\[](?:item id|item|id)\s*[:#]?\s*\d+[)\]]\s*$", Opt)]
    private static partial Regex IdInBrackets();

    [GeneratedRegex(@"^(?:i'?m sorry|i am sorry|sorry|i apologi[sz]e|i (?:cannot|can't|can not|am unable|'m unable|am not able|don't know|do not know|do not have|don't have)\b|as an ai\b|unfortunately\b|there is (?:no|not enough)\b|not enough information|insufficient information|(?:it is |it's )?(?:impossible|not possible|hard|difficult) to\b|the order in which users click|(?:unknown|n/?a|none|null|nothing|no item|no answer)$)", Opt)]
    private static partial Regex NonAnswer();
}
