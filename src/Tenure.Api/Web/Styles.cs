namespace Tenure.Api.Web;

/// <summary>The console's one stylesheet, inlined in every page (no asset pipeline).</summary>
public static class Styles
{
    public const string Css = """
        :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f6f7f9; }
        body { margin: 0; }
        header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.5rem; background: #14213d; color: #fff; }
        header a { color: #fff; text-decoration: none; }
        header nav { display: flex; gap: 1rem; }
        .brand { font-weight: 700; font-size: 1.2rem; }
        .signout { margin-left: auto; display: flex; gap: .75rem; align-items: center; }
        main { padding: 1rem 1.5rem 3rem; max-width: 1200px; }
        h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
        table { border-collapse: collapse; background: #fff; width: 100%; }
        th, td { border-bottom: 1px solid #dde1e7; padding: .4rem .6rem; text-align: left; font-size: .92rem; }
        th { background: #eef1f5; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .notice { background: #e6f4ea; border: 1px solid #9bd3ae; padding: .6rem .8rem; }
        .error { background: #fdecea; border: 1px solid #f1a39b; padding: .6rem .8rem; }
        .tabs { display: flex; gap: .25rem; margin: 1rem 0; padding: 0; list-style: none; }
        .tabs a { display: inline-block; padding: .4rem .9rem; border: 1px solid #c5ccd6; }
        .tabs a { background: #fff; color: #14213d; text-decoration: none; }
        .tabs a[aria-current="page"] { background: #14213d; color: #fff; }
        form.inline, fieldset { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; }
        fieldset { border: 1px solid #dde1e7; background: #fff; margin: .75rem 0; padding: .6rem .8rem; }
        label { display: flex; flex-direction: column; font-size: .85rem; gap: .2rem; }
        input, select, button { font: inherit; padding: .3rem .5rem; }
        button { background: #14213d; color: #fff; border: 0; cursor: pointer; }
        button.secondary { background: #fff; color: #14213d; border: 1px solid #14213d; }
        .status-running { color: #1e7b34; } .status-stopped { color: #b3261e; font-weight: 600; } .status-released { color: #6b7280; }
        .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; background: #fff; padding: .8rem; margin: 0; }
        dt { color: #4b5563; } dd { margin: 0; }
        svg { background: #fff; border: 1px solid #dde1e7; max-width: 100%; height: auto; }
        .total { font-size: 1.15rem; font-weight: 600; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
        header { flex-wrap: wrap; } .scroll { overflow-x: auto; max-width: 100%; position: relative; }
        .downloads { display: flex; flex-wrap: wrap; gap: .4rem 1rem; padding: 0; list-style: none; }
        .scroll { overflow-x: auto; max-width: 100%; }
        .banner { background: #fff4e5; border: 1px solid #d97706; padding: .6rem .8rem; font-weight: 600; }
        a.button { display: inline-block; padding: .2rem .5rem; margin: .1rem 0; border: 1px solid #14213d; background: #fff; }
        a.button { color: #14213d; text-decoration: none; font-size: .85rem; }
        label.check { flex-direction: row; align-items: center; gap: .4rem; margin: .5rem 0; }
        .row-actions { white-space: nowrap; } .count { font-variant-numeric: tabular-nums; }
        fieldset { min-width: 0; } fieldset > label { min-width: 0; max-width: 100%; } select, input { min-width: 0; max-width: 100%; }
        @media (max-width: 600px) { main { padding: .75rem; } .tabs { flex-wrap: wrap; } dl { grid-template-columns: 1fr; } }
        .now { stroke: #b3261e; stroke-width: 2; }
        .picture { overflow-x: auto; } .picture svg { min-width: 760px; }
        .legend { font-size: .85rem; color: #4b5563; margin: .3rem 0 0; }
        header, header nav, .tabs { flex-wrap: wrap; }
        header { row-gap: .4rem; }
        dd { min-width: 0; overflow-wrap: anywhere; }
        input, select, label { max-width: 100%; min-width: 0; }
        fieldset { min-width: 0; }
        @media (max-width: 720px) {
          header { padding: .5rem .75rem; gap: .4rem 1rem; }
          main { padding: .75rem .75rem 2rem; }
          .signout { margin-left: 0; }
          /* At phone width a table of text wraps its cells; one with links or fields scrolls inside itself (its controls take
             the keyboard focus, so the scrolled part stays reachable), and the page itself never scrolls sideways. */
          th, td { overflow-wrap: anywhere; }
          table:has(a[href], input, button, select) { display: block; overflow-x: auto; }
          table:has(a[href], input, button, select) :is(th, td) { overflow-wrap: normal; white-space: nowrap; }
        }
        """;
}
