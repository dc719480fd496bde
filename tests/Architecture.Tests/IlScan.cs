using Mono.Cecil;
using Mono.Cecil.Cil;

namespace EdgeAgent.Architecture.Tests;

/// <summary>One top-level type of our assemblies (nested types folded in) and the top-level types of our assemblies it uses.</summary>
public sealed record ScannedType(string Key, string Assembly, string Name, string Namespace, IReadOnlySet<string> DependsOn)
{
    /// <summary>A type in EdgeAgent or EdgeAgent.*; the others are compiler/generator output (see <see cref="IlScan"/>).</summary>
    public bool IsOurs => IlScan.IsOurNamespace(Namespace);
}

/// <summary>
/// Reads the compiled IL of our assemblies with Mono.Cecil and builds the namespace dependency graph.
///
/// A type depends on every type named in its base type, interfaces, generic constraints, fields, properties,
/// events, method signatures and overrides, custom attributes (constructor and typeof arguments), locals,
/// catch clauses and every type, method, field and call-site operand in its method bodies; generic
/// arguments, arrays, pointers and by-refs are unwrapped. Nested types are folded into their outermost
/// declaring type, so compiler-generated display classes, <c>&lt;&gt;c</c>, state machines and the
/// [LoggerMessage] partials count for the type (and namespace) that declares them.
///
/// Types of our assemblies outside EdgeAgent namespaces — no namespace (&lt;Module&gt;,
/// &lt;PrivateImplementationDetails&gt;, anonymous types, collection-expression and inline-array helpers) or
/// generator namespaces (System.Text.RegularExpressions.Generated for [GeneratedRegex],
/// System.Runtime.CompilerServices / Microsoft.CodeAnalysis embedded attributes) — are not nodes: they are
/// mapped to the code that uses them, i.e. a use of such a type counts as a use of everything it (transitively)
/// uses of ours. Hand-written types cannot hide there: the source-folder test requires every file's namespace.
/// </summary>
public static class IlScan
{
    public static bool IsOurNamespace(string ns) => ns == "EdgeAgent" || ns.StartsWith("EdgeAgent.", StringComparison.Ordinal);

    /// <summary>edgeagent.dll and EdgeAgent.*.dll in <paramref name="folder"/>, test assemblies excluded.</summary>
    public static IReadOnlyList<string> OurAssemblies(string folder) =>
        Directory.EnumerateFiles(folder, "*.dll")
            .Where(p =>
            {
                var name = Path.GetFileNameWithoutExtension(p);
                var ours = name.Equals("edgeagent", StringComparison.OrdinalIgnoreCase)
                    || name.StartsWith("EdgeAgent.", StringComparison.OrdinalIgnoreCase);
                var test = name.EndsWith(".Tests", StringComparison.OrdinalIgnoreCase)
                    || name.Contains(".Tests.", StringComparison.OrdinalIgnoreCase);
                return ours && !test;
            })
            .Order(StringComparer.Ordinal)
            .ToList();

    public static Scan Read(IReadOnlyList<string> assemblyPaths)
    {
        using var resolver = new DefaultAssemblyResolver();
        foreach (var dir in assemblyPaths.Select(Path.GetDirectoryName).Distinct()) resolver.AddSearchDirectory(dir!);
        var parameters = new ReaderParameters { AssemblyResolver = resolver, ReadingMode = ReadingMode.Deferred, InMemory = true };

        var assemblies = assemblyPaths.Select(p => AssemblyDefinition.ReadAssembly(p, parameters)).ToList();
        try
        {
            var ours = assemblies.Select(a => a.Name.Name).ToHashSet(StringComparer.Ordinal);
            var problems = new List<string>();
            var types = new Dictionary<string, ScannedType>(StringComparer.Ordinal);
            foreach (var module in assemblies.SelectMany(a => a.Modules))
            {
                foreach (var type in module.Types)
                {
                    var collector = new Collector(ours, problems);
                    collector.Definition(type);
                    var key = Key(module.Assembly.Name.Name, type);
                    collector.Found.Remove(key);
                    types[key] = new ScannedType(key, module.Assembly.Name.Name, type.FullName, type.Namespace, collector.Found);
                }
            }
            return new Scan(assemblies.Select(a => a.Name.Name).Order(StringComparer.Ordinal).ToList(), types, problems);
        }
        finally
        {
            foreach (var a in assemblies) a.Dispose();
        }
    }

    private static string Key(string assembly, TypeReference topLevel) => assembly + "!" + topLevel.FullName;

    /// <summary>The result: our assemblies' top-level types with their dependencies, and the namespace graph built from them.</summary>
    public sealed class Scan(IReadOnlyList<string> assemblies, IReadOnlyDictionary<string, ScannedType> types, IReadOnlyList<string> problems)
    {
        public IReadOnlyList<string> Assemblies { get; } = assemblies;
        public IReadOnlyDictionary<string, ScannedType> Types { get; } = types;
        /// <summary>Anything the reader could not decode (should be none: the self-check asserts it).</summary>
        public IReadOnlyList<string> Problems { get; } = problems;

        /// <summary>Namespace graph over our types; an edge's example is "TypeA -> TypeB", or "... (via generated G)".</summary>
        public DependencyGraph NamespaceGraph()
        {
            var graph = new DependencyGraph();
            foreach (var type in Types.Values.Where(t => t.IsOurs).OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                graph.AddNode(type.Namespace);
                foreach (var (target, via) in Targets(type))
                {
                    var example = via is null ? $"{type.Name} -> {target.Name}" : $"{type.Name} -> {target.Name} (via generated {via})";
                    graph.AddEdge(type.Namespace, target.Namespace, example);
                }
            }
            return graph;
        }

        /// <summary>Our types that <paramref name="type"/> uses, directly or through generated types of our assemblies.</summary>
        private IEnumerable<(ScannedType Target, string? Via)> Targets(ScannedType type)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal) { type.Key };
            var work = new Stack<(string Key, string? Via)>(type.DependsOn.Order(StringComparer.Ordinal).Reverse().Select(k => (k, (string?)null)));
            while (work.Count > 0)
            {
                var (key, via) = work.Pop();
                if (!seen.Add(key) || !Types.TryGetValue(key, out var dep)) continue;
                if (dep.IsOurs)
                {
                    yield return (dep, via);
                    continue;
                }
                foreach (var next in dep.DependsOn.Order(StringComparer.Ordinal).Reverse()) work.Push((next, via ?? dep.Name));
            }
        }
    }

    /// <summary>Collects the top-level types of our assemblies that one type definition (and its nested types) names.</summary>
    private sealed class Collector(HashSet<string> ourAssemblies, List<string> problems)
    {
        public HashSet<string> Found { get; } = new(StringComparer.Ordinal);

        public void Definition(TypeDefinition t)
        {
            Attributes(t);
            Type(t.BaseType);
            foreach (var i in t.Interfaces)
            {
                Type(i.InterfaceType);
                Attributes(i);
            }
            GenericParameters(t);
            foreach (var f in t.Fields)
            {
                Type(f.FieldType);
                Attributes(f);
            }
            foreach (var p in t.Properties)
            {
                Type(p.PropertyType);
                Attributes(p);
                foreach (var x in p.Parameters) Type(x.ParameterType);
            }
            foreach (var e in t.Events)
            {
                Type(e.EventType);
                Attributes(e);
            }
            foreach (var m in t.Methods) Method(m);
            foreach (var n in t.NestedTypes) Definition(n);
        }

        private void Method(MethodDefinition m)
        {
            Attributes(m);
            Type(m.ReturnType);
            Attributes(m.MethodReturnType);
            foreach (var p in m.Parameters)
            {
                Type(p.ParameterType);
                Attributes(p);
            }
            GenericParameters(m);
            foreach (var o in m.Overrides) Member(o);
            if (!m.HasBody) return;
            foreach (var v in m.Body.Variables) Type(v.VariableType);
            foreach (var h in m.Body.ExceptionHandlers) Type(h.CatchType);
            foreach (var instruction in m.Body.Instructions) Operand(instruction.Operand);
        }

        private void Operand(object? operand)
        {
            switch (operand)
            {
                case TypeReference t: Type(t); break;
                case MethodReference m: Member(m); break;
                case FieldReference f:
                    Type(f.DeclaringType);
                    Type(f.FieldType);
                    break;
                case CallSite c:
                    Type(c.ReturnType);
                    foreach (var p in c.Parameters) Type(p.ParameterType);
                    break;
            }
        }

        private void Member(MethodReference m)
        {
            Type(m.DeclaringType);
            Type(m.ReturnType);
            foreach (var p in m.Parameters) Type(p.ParameterType);
            if (m is GenericInstanceMethod g)
                foreach (var a in g.GenericArguments) Type(a);
        }

        private void GenericParameters(IGenericParameterProvider provider)
        {
            if (!provider.HasGenericParameters) return;
            foreach (var gp in provider.GenericParameters)
            {
                Attributes(gp);
                foreach (var c in gp.Constraints)
                {
                    Type(c.ConstraintType);
                    Attributes(c);
                }
            }
        }

        private void Attributes(ICustomAttributeProvider provider)
        {
            if (!provider.HasCustomAttributes) return;
            foreach (var a in provider.CustomAttributes)
            {
                Member(a.Constructor);
                try
                {
                    foreach (var arg in a.ConstructorArguments) Argument(arg);
                    foreach (var named in a.Fields.Concat(a.Properties)) Argument(named.Argument);
                }
                catch (Exception e) when (e is AssemblyResolutionException or ResolutionException or InvalidOperationException)
                {
                    problems.Add($"[{a.AttributeType.FullName}] on {provider}: arguments not decoded ({e.Message})");
                }
            }
        }

        private void Argument(CustomAttributeArgument argument)
        {
            Type(argument.Type);
            switch (argument.Value)
            {
                case TypeReference t: Type(t); break;
                case CustomAttributeArgument inner: Argument(inner); break;
                case CustomAttributeArgument[] items:
                    foreach (var item in items) Argument(item);
                    break;
            }
        }

        /// <summary>Records the top-level type of <paramref name="t"/> when it is in one of our assemblies; unwraps constructed types.</summary>
        private void Type(TypeReference? t)
        {
            switch (t)
            {
                case null:
                case GenericParameter: // constraints are read where the parameter is declared
                    return;
                case GenericInstanceType g:
                    Type(g.ElementType);
                    foreach (var a in g.GenericArguments) Type(a);
                    return;
                case FunctionPointerType f:
                    Type(f.ReturnType);
                    foreach (var p in f.Parameters) Type(p.ParameterType);
                    return;
                case IModifierType m:
                    Type(m.ModifierType);
                    Type(m.ElementType);
                    return;
                case TypeSpecification s: // array, by-ref, pointer, pinned, sentinel
                    Type(s.ElementType);
                    return;
            }
            var top = t;
            while (top.DeclaringType is not null) top = top.DeclaringType;
            var assembly = top.Scope switch
            {
                ModuleDefinition m => m.Assembly.Name.Name,
                AssemblyNameReference r => r.Name,
                _ => null,
            };
            if (assembly is not null && ourAssemblies.Contains(assembly)) Found.Add(Key(assembly, top));
        }
    }
}
