using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using Llm4Sbr.Core.Errors;
using Llm4Sbr.Engine.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using static LanguageExt.Prelude;

namespace Llm4Sbr.Engine.Pipelines;

/// <summary>Parses YAML (and so JSON, a subset) into a <see cref="ConfigMap"/>. Syntax errors,
/// duplicate keys, several documents and a non-mapping root are errors naming the file and line.</summary>
public static class YamlConfig
{
    public static Fin<ConfigMap> Parse(string text, string displayFile)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var message = e.InnerException?.Message ?? e.Message;
            if (message.StartsWith("Duplicate key ", StringComparison.Ordinal))
                message = $"key '{message["Duplicate key ".Length..]}' appears twice";
            return FinFail<ConfigMap>(EngineErrors.PipelineSyntax(displayFile, e.Start.Line, Clean(message)));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's parser throws this, not a YamlException, for some unterminated flow
            // collections (e.g. "models: [srgnn" followed by more lines); it carries no position, so
            // the tokens say which bracket was never closed.
            return FinFail<ConfigMap>(UnclosedFlow(text) is { } open
                ? EngineErrors.PipelineSyntax(displayFile, open.Line, $"this {(open.List ? "[list" : "{mapping")} is never closed")
                : EngineErrors.PipelineSyntax(displayFile, null, "an unterminated [list], {mapping} or quoted string?"));
        }
        if (stream.Documents.Count == 0) return FinSucc(ConfigMap.Empty);
        if (stream.Documents.Count > 1)
            return FinFail<ConfigMap>(EngineErrors.PipelineSyntax(displayFile, stream.Documents[1].RootNode.Start.Line,
                "holds several YAML documents; a pipeline is one"));
        var root = stream.Documents[0].RootNode;
        if (root is YamlScalarNode { Value: null or "" }) return FinSucc(ConfigMap.Empty);
        if (root is not YamlMappingNode) 
            return FinFail<ConfigMap>(EngineErrors.PipelineSyntax(displayFile, root.Start.Line, "the document must be a mapping of sections"));
        return Convert(root, displayFile).Map(n => (ConfigMap)n);
    }

    static Fin<ConfigNode> Convert(YamlNode node, string file) => node switch
    {
        YamlScalarNode s => FinSucc<ConfigNode>(new ConfigScalar(s.Value ?? "", s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted, s.Start.Line)),
        YamlSequenceNode q => q.Children
            .Select(c => Convert(c, file))
            .AllOrFirstError()
            .Map(items => (ConfigNode)new ConfigList([.. items], q.Start.Line)),
        YamlMappingNode m => ConvertMap(m, file),
        _ => FinFail<ConfigNode>(EngineErrors.PipelineSyntax(file, node.Start.Line, $"unsupported YAML node {node.NodeType}")),
    };

    static Fin<ConfigNode> ConvertMap(YamlMappingNode map, string file)
    {
        var seen = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        Fin<ConfigEntry> Entry(YamlNode keyNode, YamlNode valueNode) =>
            keyNode is not YamlScalarNode { Value: { } key }
                ? FinFail<ConfigEntry>(EngineErrors.PipelineSyntax(file, keyNode.Start.Line, "keys must be plain names"))
            : !seen.Add(key)
                ? FinFail<ConfigEntry>(EngineErrors.PipelineSyntax(file, keyNode.Start.Line, $"key '{key}' appears twice"))
            : Convert(valueNode, file).Map(value => new ConfigEntry(key, value, keyNode.Start.Line));

        // In document order, stopping at the first bad entry.
        return map.Children.Select(child => Entry(child.Key, child.Value)).AllOrFirstError()
            .Map(entries => (ConfigNode)new ConfigMap(entries, map.Start.Line));
    }

    // YamlDotNet prefixes messages with "(Line: l, Col: c, Idx: i) - (Line...): ".
    static string Clean(string message)
    {
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 && message.StartsWith('(') ? message[(cut + 3)..] : message;
    }

    /// <summary>The first flow collection (<c>[</c> or <c>{</c>) that the text opens and never closes, by
    /// its tokens; null when every one is closed.</summary>
    static (long Line, bool List)? UnclosedFlow(string text)
    {
        var open = new List<(long Line, bool List)>();
        var scanner = new Scanner(new StringReader(text));
        try
        {
            while (scanner.MoveNext())
            {
                switch (scanner.Current)
                {
                    case YamlDotNet.Core.Tokens.FlowSequenceStart t: open.Add((t.Start.Line, true)); break;
                    case YamlDotNet.Core.Tokens.FlowMappingStart t: open.Add((t.Start.Line, false)); break;
                    case YamlDotNet.Core.Tokens.FlowSequenceEnd or YamlDotNet.Core.Tokens.FlowMappingEnd when open.Count > 0:
                        open.RemoveAt(open.Count - 1);
                        break;
                }
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            // The scan stops where the text stops making sense (the same InvalidOperationException as the
            // parse's); the brackets opened before that point are the answer.
        }
        return open.Count > 0 ? open[0] : null;
    }
}
