using LanguageExt;
using LanguageExt.Common;
using Microsoft.ML.Tokenizers;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Inference.Encoding;

/// <summary>Texts to BERT token ids: <c>[CLS] wordpieces [SEP]</c>, truncated to <c>maxTokens</c>
/// in all (the wordpieces cut mid-word if need be, as Hugging Face's truncation does).</summary>
internal sealed class WordPieceInputs
{
    /// <summary>Part of the model id: bump it when a change here changes token ids, so caches keyed
    /// by the id are not served vectors of the old tokenization.</summary>
    public const string Version = "tok1";

    private readonly BertTokenizer _tokenizer;
    private readonly int _maxWordPieces;
    private readonly bool _stripAccents;

    private WordPieceInputs(BertTokenizer tokenizer, int maxTokens, bool stripAccents)
    {
        _tokenizer = tokenizer;
        _maxWordPieces = maxTokens - 2;
        _stripAccents = stripAccents;
    }

    public int PaddingId => _tokenizer.PaddingTokenId;

    public int UnknownId => _tokenizer.UnknownTokenId;

    /// <param name="source">The vocabulary as errors name it: its file, or the built-in model's.</param>
    public static Fin<WordPieceInputs> Create(byte[] vocab, EncoderOptions options, string source)
    {
        try
        {
            using var stream = new MemoryStream(vocab, writable: false);
            var tokenizer = BertTokenizer.Create(stream, new BertOptions
            {
                LowerCaseBeforeTokenization = options.LowerCase,
                // Uncased BERT vocabularies have no accents: Hugging Face strips them when lower-casing.
                // The tokenizer's own stripping needs ICU normalisation, which invariant mode lacks,
                // so AccentFolding does it before the text reaches the tokenizer.
                RemoveNonSpacingMarks = false,
            });
            return FinSucc(new WordPieceInputs(tokenizer, options.MaxTokens, stripAccents: options.LowerCase));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or IOException)
        {
            return FinFail<WordPieceInputs>(Error.New($"{source} is not a BERT WordPiece vocab.txt: {e.Message}"));
        }
    }

    public int[] Encode(string text)
    {
        // Ask for a whole-word prefix one maximal word (MaxInputCharsPerWord pieces at most) longer
        // than needed, then cut exactly: the tokenizer itself only truncates at word boundaries.
        var pieces = _tokenizer.EncodeToIds(_stripAccents ? AccentFolding.Fold(text) : text, _maxWordPieces + _tokenizer.MaxInputCharsPerWord, addSpecialTokens: false, out _, out _);
        int count = Math.Min(pieces.Count, _maxWordPieces);
        var ids = new int[count + 2];
        ids[0] = _tokenizer.ClassificationTokenId;
        for (int i = 0; i < count; i++) ids[i + 1] = pieces[i];
        ids[count + 1] = _tokenizer.SeparatorTokenId;
        return ids;
    }

    /// <summary>Encodes every text, in parallel (the tokenizer holds no per-call state).</summary>
    public int[][] EncodeAll(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var ids = new int[texts.Count][];
        Parallel.For(0, texts.Count, new ParallelOptions { CancellationToken = cancellationToken }, i => ids[i] = Encode(texts[i]));
        return ids;
    }
}
