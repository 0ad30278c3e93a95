"""What every figure of the site shares, whatever it draws (indicators' charts and
municipalities' maps): the base layout and the rule that data is plain text to Plotly."""

FONT = (
    '"Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", Meiryo, IPAGothic, '
    '"Noto Sans CJK JP", sans-serif'
)


def plain_text(text) -> str:
    """A string from the data (a breakdown, an indicator's name, a unit, a place) as
    plain text to Plotly.

    Plotly draws a whitelist of HTML tags (<a href>, <b>, <br> …) in trace names,
    texts, hover labels, tick labels and annotations, and fills `%{…}` in hover
    templates. `&`, `<` and `>` become character references and `{` becomes
    `&#123;`, so no tag and no placeholder survives; Plotly decodes the references
    when it draws, so the reader sees the same characters. Every data string that
    reaches a figure goes through here (charts and municipalities/maps.py), and
    data is never written into a hover template: it reaches one as `customdata`,
    `text`, a category or the trace's name.
    """
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("{", "&#123;")
    )


def layout(height: int, **extra) -> dict:
    """The site's base Plotly layout: its font, no background, no legend, no dragging."""
    return {
        "template": "none",
        "height": height,
        "margin": {"l": 8, "r": 16, "t": 8, "b": 8},
        "font": {"family": FONT, "size": 13, "color": "#1a1a1a"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "showlegend": False,
        "separators": ".,",
        "dragmode": False,
        **extra,
    }
