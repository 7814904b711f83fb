using System.Reflection;

namespace Llm4Sbr.Training.Tests.Support;

/// <summary>TorchSharp's public methods that make a Scalar from a number and never dispose it, in their
/// own IL or through the TorchSharp methods they call (<c>Tensor + Tensor</c> calls <c>add(target)</c>,
/// which calls <c>add(target, 1)</c>), as documentation-comment ids (the analyzer's banned-symbols
/// format). A method that disposes a Scalar in its own body is taken to hold the ones it makes.</summary>
public static class TorchScalarScan
{
    public static SortedSet<string> LeakingMethods()
    {
        var assembly = typeof(TorchSharp.torch).Assembly;
        var scalar = typeof(TorchSharp.Scalar);
        var calls = new Dictionary<MethodBase, List<MethodBase>>();
        var leaking = new HashSet<MethodBase>();
        const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes())
            foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
            {
                if (method.GetMethodBody()?.GetILAsByteArray() is not { } il) continue;
                var callees = Callees(method, il).ToList();
                calls[method] = [.. callees.Where(c => c.Module == method.Module)];
                bool converts = callees.Any(c => IsConversion(c, scalar));
                bool disposes = callees.Any(c => c.DeclaringType == scalar && c.Name == nameof(IDisposable.Dispose));
                if (converts && !disposes && method.DeclaringType != scalar) leaking.Add(method);
            }
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (method, callees) in calls)
                if (!leaking.Contains(method) && callees.Any(leaking.Contains)) grew = leaking.Add(method);
        }
        return [.. leaking.Where(m => m.IsPublic && m.DeclaringType!.IsVisible).Select(DocumentationId)];
    }

    /// <summary>The methods a body calls: the tokens after call, callvirt and newobj that resolve to a
    /// method (a byte scan, not a full IL decoder: a stray match must also resolve, and then only adds a
    /// method to look at).</summary>
    static IEnumerable<MethodBase> Callees(MethodBase method, byte[] il)
    {
        var type = method.DeclaringType!;
        for (int i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] is not (0x28 or 0x6F or 0x73)) continue;
            int token = BitConverter.ToInt32(il, i + 1);
            if ((token >> 24) is not (0x06 or 0x0A or 0x2B)) continue;
            MethodBase? callee = null;
            try
            {
                callee = method.Module.ResolveMethod(token, type.IsGenericType ? type.GetGenericArguments() : null,
                    method.IsGenericMethod ? method.GetGenericArguments() : null);
            }
            catch (ArgumentException) { }      // not a method token of this module: a stray byte match
            catch (BadImageFormatException) { }
            if (callee is not null) yield return callee;
        }
    }

    static bool IsConversion(MethodBase callee, Type scalar) =>
        (callee.DeclaringType == scalar && callee.Name == "op_Implicit")
        || (callee.Name == "ToScalar" && callee is MethodInfo info && info.ReturnType == scalar
            && callee.GetParameters().FirstOrDefault()?.ParameterType != typeof(TorchSharp.torch.Tensor));

    static string DocumentationId(MethodBase method)
    {
        var parameters = method.GetParameters();
        string name = method is ConstructorInfo ? "#ctor" : method.IsGenericMethodDefinition ? $"{method.Name}``{method.GetGenericArguments().Length}" : method.Name;
        return $"M:{TypeId(method.DeclaringType!)}.{name}" + (parameters.Length == 0 ? "" : $"({string.Join(",", parameters.Select(p => ParameterId(p.ParameterType)))})");
    }

    static string ParameterId(Type t) =>
        t.IsByRef ? ParameterId(t.GetElementType()!) + "@"
        : t.IsArray ? ParameterId(t.GetElementType()!) + "[]"
        : t.IsGenericParameter ? (t.DeclaringMethod is null ? "`" : "``") + t.GenericParameterPosition
        : TypeId(t);

    static string TypeId(Type t) =>
        t.IsGenericTypeDefinition ? t.FullName!.Replace('+', '.')
        : t.IsGenericType
            ? t.GetGenericTypeDefinition().FullName!.Split('`')[0].Replace('+', '.') + "{" + string.Join(",", t.GetGenericArguments().Select(ParameterId)) + "}"
            : (t.FullName ?? t.Name).Replace('+', '.');
}
