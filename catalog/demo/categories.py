"""The demo's category tree, and the keyword rules that place a product in it.

The data has no categories, only descriptions such as "HANGING JAM JAR T-LIGHT HOLDER", so a
product goes to the first top-level category that names its kind of product (the order of the tree
settles "CHRISTMAS LIGHTS" and "JAM JAR T-LIGHT"), else to the first that names its motif, else to
Other Gifts; then to the first of that category's subcategories that matches, or stays at the top
level. Keywords are whole words or phrases, plurals spelt out. The rules were tuned on the ten
months of data: about 3% of products end up in Other Gifts.
"""

import re
from dataclasses import dataclass

from django.utils.text import slugify


@dataclass(frozen=True)
class CategorySpec:
    """A category of the demo tree and how to recognise its products.

    `keywords` name kinds of product ("MUG", "T-LIGHT HOLDER") and are tried for every top-level
    category before any `themes` ("GARDEN", "TEA"), which name a motif and are the weaker hint:
    "METAL SIGN EMPIRE TEA" is a sign, "GARDEN CUSHION COVER" a cushion. `unless` vetoes a match
    ("NAPKIN RING" is not jewellery).
    """

    name: str
    keywords: tuple[str, ...]
    blurb: str  # one sentence, for the category page and the descriptions of its products
    icon: str = "gift"  # how its products' pictures are drawn (see catalog.demo.images)
    featured: bool = False
    themes: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    children: tuple["CategorySpec", ...] = ()

    @property
    def slug(self) -> str:
        return slugify(self.name)

    def matches(self, words: str, *, themes: bool = False) -> bool:
        if any(f" {veto} " in words for veto in self.unless):
            return False
        return any(f" {keyword} " in words for keyword in (self.themes if themes else self.keywords))


CATEGORY_TREE: tuple[CategorySpec, ...] = (
    CategorySpec(
        "Christmas",
        ("CHRISTMAS", "XMAS", "ADVENT", "SANTA", "REINDEER", "BAUBLE", "BAUBLES", "NATIVITY", "SNOWFLAKE",
         "SNOWFLAKES", "SNOWMAN", "CRACKER", "CRACKERS", "ANGEL", "ANGELS", "NOEL", "ICICLE", "ICICLES", "WREATH",
         "SLEIGH", "HOLLY", "FEATHER TREE", "STOCKING"),
        "Decorations, wrap and little gifts for the festive season.",
        icon="star",
        featured=True,
        children=(
            CategorySpec(
                "Tree Decorations",
                ("DECORATION", "DECORATIONS", "BAUBLE", "BAUBLES", "HANGING", "ICICLE", "ICICLES", "TREE", "DEC"),
                "Baubles, hanging hearts and stars to dress the tree.",
                icon="star",
            ),
        ),
    ),
    CategorySpec(
        "Candles & Lights",
        ("CANDLE", "CANDLES", "T-LIGHT", "T-LIGHTS", "TEALIGHT", "TEALIGHTS", "TEA LIGHTS", "LANTERN", "LANTERNS",
         "LIGHTS", "LIGHT", "LAMP", "LAMPSHADE", "INCENSE", "CANDLEHOLDER", "CANDLEPOT", "CHOCOLATECANDLE", "VOTIVE",
         "OIL BURNER", "NIGHT LIGHT", "CHANDELIER", "TORCH", "LIGHTBULB", "BULB", "CANDELABRA", "CANDLESTICK", "MATCHES"),
        "Candles, holders, lanterns and lights for long evenings.",
        icon="candle",
        featured=True,
        unless=("KEYRING", "KEY RING"),
        children=(
            CategorySpec(
                "T-Light Holders & Lanterns",
                ("HOLDER", "HOLDERS", "HLDR", "HOLD", "LANTERN", "LANTERNS", "CANDLEHOLDER", "CANDLEPOT", "CANDELABRA",
                 "CANDLESTICK"),
                "Holders and lanterns that make a room glow.",
                icon="candle",
            ),
            CategorySpec(
                "Candles & Incense",
                ("CANDLE", "CANDLES", "T-LIGHTS", "TEALIGHTS", "INCENSE", "OIL BURNER", "CHOCOLATECANDLE", "VOTIVE"),
                "Scented and plain candles, tea lights and incense.",
                icon="candle",
            ),
            CategorySpec(
                "Lamps & Lights",
                ("LIGHTS", "LIGHT", "LAMP", "LAMPSHADE", "NIGHT LIGHT", "CHANDELIER", "TORCH", "LIGHTBULB", "BULB"),
                "Night lights, lamps and strings of lights.",
                icon="candle",
            ),
        ),
    ),
    CategorySpec(
        "Jewellery & Accessories",
        ("NECKLACE", "NECKLAC", "NECKL", "BRACELET", "BRACLET", "BANGLE", "EARRINGS", "EARRING", "RING", "CHARM",
         "CHARMS", "BROOCH", "BEAD", "BEADS", "DIAMANTE", "PENDANT", "LARIAT", "TIARA", "TIARAS", "JEWELLERY", "HAIR",
         "HAIRCLIP", "HAIRCLIPS", "HAIRBAND", "HAIRBANDS", "HAIR SLIDES", "CLIPS", "SLIDE", "PURSE", "WALLET",
         "UMBRELLA", "PARASOL", "PASSPORT COVER", "SCARF", "COMPACT MIRROR", "BLING", "KEYRING", "KEYRINGS",
         "KEY RING", "KEY FOB", "LUGGAGE TAG", "SUNGLASSES", "RAIN HAT", "RAIN MAC", "PONCHO", "EAR MUFF", "BADGES",
         "LIP GLOSS", "SILK FAN", "SLIPPER", "SLIPPERS", "TISSUES"),
        "Necklaces, bracelets and earrings, and the little things that go in a handbag.",
        icon="gem",
        featured=True,
        unless=("NAPKIN", "NAPKINS"),
        children=(
            CategorySpec(
                "Jewellery",
                ("NECKLACE", "NECKLAC", "NECKL", "BRACELET", "BRACLET", "BANGLE", "EARRINGS", "EARRING", "BROOCH",
                 "PENDANT", "BEAD", "BEADS", "DIAMANTE", "LARIAT", "CHARM", "JEWELLERY", "RING"),
                "Necklaces, bracelets, earrings, rings and brooches.",
                icon="gem",
            ),
        ),
    ),
    CategorySpec(
        "Bags",
        ("BAG", "BAGS", "SHOPPER", "TOTE", "HANDBAG", "BACKPACK", "RUCKSACK", "HOLDALL", "WASHBAG"),
        "Jumbo bags, lunch bags, shoppers and gift bags.",
        icon="bag",
        featured=True,
        children=(
            CategorySpec("Jumbo Bags", ("JUMBO",), "Roomy bags for shopping, storage and days out.", icon="bag"),
            CategorySpec("Lunch Bags", ("LUNCH",), "Insulated bags for lunch on the go.", icon="bag"),
            CategorySpec("Gift Bags", ("GIFT BAG", "GIFT BAGS"), "Bags that make wrapping a present easy.", icon="bag"),
        ),
    ),
    CategorySpec(
        "Cards & Wrap",
        ("CARD", "CARDS", "WRAP", "RIBBON", "RIBBONS", "ENVELOPE", "ENVELOPES", "GIFT TAG", "GIFT TAGS", "TAGS",
         "TISSUE", "CONFETTI", "INVITES", "GIFT TAPE", "BUNTING", "PARTY", "BALLOON", "BALLOONS", "PAPER CHAIN",
         "POSTCARD", "ROSETTE", "PENNANT", "FLAG", "FLAGS"),
        "Cards, wrapping paper, ribbons and everything for a party.",
        icon="envelope",
        themes=("PAPER",),
        unless=("PLAYING CARDS", "BALLOON WATER BOMB", "SANDCASTLE FLAGS"),
        children=(
            CategorySpec(
                "Greeting Cards", ("CARD", "CARDS", "INVITES", "POSTCARD"), "Cards for birthdays and every other day.",
                icon="envelope",
            ),
            CategorySpec(
                "Wrap & Ribbons",
                ("WRAP", "RIBBON", "RIBBONS", "GIFT TAG", "GIFT TAGS", "TAGS", "GIFT TAPE", "TISSUE"),
                "Wrapping paper, ribbons and tags.",
                icon="envelope",
            ),
            CategorySpec(
                "Party",
                ("PARTY", "BUNTING", "CONFETTI", "BALLOON", "BALLOONS", "PAPER CHAIN", "ROSETTE", "PENNANT", "FLAG",
                 "FLAGS"),
                "Bunting, balloons, napkins and tableware for a celebration.",
                icon="envelope",
            ),
        ),
    ),
    CategorySpec(
        "Stationery",
        ("NOTEBOOK", "NOTEBOOKS", "PEN", "PENS", "PENCIL", "PENCILS", "ERASER", "ERASERS", "RUBBER", "RUBBERS",
         "RULER", "STICKER", "STICKERS", "NOTE", "NOTES", "NOTEPAD", "MEMO", "MEMOBOARD", "DIARY", "CALENDAR",
         "JOURNAL", "SKETCHBOOK", "STATIONERY", "STAMP", "STAMPS", "TAPE", "TAPES", "CHALK", "ADDRESS BOOK",
         "BOOKMARK", "BOOKCOVER", "PAPERWEIGHT", "HOLE PUNCH", "SHOPPING LIST", "SHARPENER", "CRAYONS", "CLIPBOARD",
         "POCKET BOOK", "EXERCISE BOOKS", "WRITING SET", "CALCULATOR", "SCISSOR", "SCISSORS", "CARDHOLDER"),
        "Notebooks, pens, stickers and desk things.",
        icon="pencil",
    ),
    CategorySpec(
        "Toys & Games",
        ("TOY", "TOYS", "GAME", "GAMES", "JIGSAW", "PUZZLE", "DOLL", "DOLLS", "SKITTLES", "DOMINOES", "MARBLES",
         "PLAYHOUSE", "TEDDY", "BALL", "KIT", "FELTCRAFT", "CRAFT", "SEWING", "KNITTING", "CROCHET", "SPINNING TOP",
         "SPINNING TOPS", "BINGO", "PLAYING CARDS", "LUDO", "SNAKES", "LADDERS", "BUBBLES", "WATER PISTOL", "KITE",
         "PUPPET", "PUPPETS", "COLOURING", "PAINTING", "HELICOPTER", "FLYING DISC", "SKIPPING ROPE", "MODELLING CLAY",
         "ROCKING HORSE", "CREEPY CRAWLIES", "PAINT SET", "TATTOOS", "INFLATABLE", "BUILDING BLOCK", "GLIDERS",
         "FARM ANIMAL", "TREASURE CHEST", "SNAKE SET", "SPORTING FUN", "BALLOON WATER BOMB", "SANDCASTLE FLAGS",
         "STENCIL", "IRON ON", "SOFT TOY", "WHEELBARROW FOR CHILDREN", "CANVAS SET", "DRAWING SLATE"),
        "Toys, games, puzzles and craft kits.",
        icon="blocks",
        featured=True,
        themes=("CHILDRENS", "CHILDREN'S", "CHILDS", "KIDS", "BABY"),
        children=(
            CategorySpec(
                "Crafts",
                ("KIT", "FELTCRAFT", "CRAFT", "SEWING", "KNITTING", "CROCHET", "COLOURING", "PAINTING", "PAINT SET",
                 "STENCIL", "IRON ON", "MODELLING CLAY", "CANVAS SET"),
                "Kits and materials for making things.",
                icon="blocks",
            ),
        ),
    ),
    CategorySpec(
        "Mugs & Kitchen",
        ("MUG", "MUGS", "CUP", "CUPS", "EGG CUP", "SAUCER", "SAUCERS", "TEACUP", "TEACUPS", "TEAPOT", "TEA COSY", "COSY",
         "TEA SET", "CAKESTAND", "CAKE STAND", "CAKE TIN", "CAKE CASES", "BAKING", "BAKE", "CASES", "LUNCH BOX",
         "LUNCHBOX", "PLATE", "PLATES", "BOWL", "BOWLS", "DISH", "CUTLERY", "SPOON", "SPOONS", "FORK", "TRAY", "JUG",
         "APRON", "OVEN GLOVE", "OVEN MITT", "TEA TOWEL", "TEA TOWELS", "NAPKIN", "NAPKINS", "RECIPE", "JAR", "JARS",
         "BEAKER", "BEAKERS", "GLASSES", "TUMBLER", "CUTTER", "CUTTERS", "MOULD", "MOULDS", "CHOPPING BOARD",
         "COASTER", "COASTERS", "PLACEMAT", "PLACEMATS", "PLACE SETTING", "PLACE SETTINGS", "DOILIES", "DOILY",
         "SCALES", "STRAWS", "PICNIC", "TINS", "TIN", "CONTAINER", "BREAD BIN", "FRYING PAN", "MILK PAN", "COLANDER",
         "SQUEEZER", "TOASTRACK", "SUGAR", "SALT AND PEPPER", "CHOPSTICKS", "LOLLY", "TABLECLOTH", "FLASK",
         "BREAKFAST SET", "POPCORN", "COCKTAIL", "SPICE", "MILK BOTTLES", "BOTTLE OPENER", "KITCHEN"),
        "Mugs, tea sets, baking, lunch boxes and kitchen things.",
        icon="mug",
        featured=True,
        themes=("TEA", "COFFEE", "PANTRY", "FOOD", "CAKE", "CAKES", "JAM", "EGG", "BISCUIT", "BISCUITS", "GLASS"),
        unless=("SUCTION CUP",),
        children=(
            CategorySpec(
                "Baking",
                ("CAKESTAND", "CAKE STAND", "CAKE TIN", "CAKE CASES", "BAKING", "BAKE", "CASES", "CUTTER", "CUTTERS",
                 "MOULD", "MOULDS", "DOILIES", "DOILY", "RECIPE", "CAKE", "BISCUIT", "BISCUITS"),
                "Cake stands, baking cases, cutters and tins.",
                icon="mug",
            ),
            CategorySpec(
                "Mugs & Tea Time",
                ("MUG", "MUGS", "CUP", "CUPS", "EGG CUP", "SAUCER", "SAUCERS", "TEACUP", "TEACUPS", "TEAPOT", "TEA COSY",
                 "COSY", "TEA SET", "COFFEE", "TEA"),
                "Mugs, cups and saucers, teapots and cosies.",
                icon="mug",
            ),
            CategorySpec(
                "Lunch & Picnic",
                ("LUNCH BOX", "LUNCHBOX", "PICNIC", "BEAKER", "BEAKERS", "FOOD", "CONTAINER", "STRAWS", "FLASK",
                 "BREAKFAST SET", "LOLLY"),
                "Lunch boxes, beakers and picnic things.",
                icon="mug",
            ),
            CategorySpec(
                "Tableware",
                ("PLATE", "PLATES", "BOWL", "BOWLS", "DISH", "CUTLERY", "SPOON", "SPOONS", "FORK", "TRAY", "JUG",
                 "NAPKIN", "NAPKINS", "COASTER", "COASTERS", "PLACEMAT", "PLACEMATS", "PLACE SETTING",
                 "PLACE SETTINGS", "GLASSES", "TUMBLER", "TABLECLOTH", "SALT AND PEPPER", "CHOPSTICKS", "SUGAR"),
                "Plates, bowls, cutlery and serving things.",
                icon="mug",
            ),
        ),
    ),
    CategorySpec(
        "Garden",
        ("PLANTER", "PLANTERS", "FLOWER POT", "FLOWERPOT", "PLANT POT", "WATERING CAN", "BIRDHOUSE", "BIRD HOUSE",
         "BIRD FEEDER", "BIRD TABLE", "FEEDER", "SEED", "SEEDS", "TROWEL", "SPADE", "RAKE", "GLOVES", "THERMOMETER",
         "MARKER", "WINDMILL", "GNOME", "HAMMOCK", "DOVECOTE", "WIND CHIME", "WINDCHIME", "TOADSTOOL", "MUSHROOM",
         "KNEELING MAT", "WHEELBARROW", "GROW YOUR OWN", "GREENHOUSE", "FLY SWAT", "FIRE BUCKET", "PEGS", "PEG"),
        "Planters, bird houses and things for the garden and the shed.",
        icon="flower",
        featured=True,
        themes=("GARDEN", "GARDENERS", "BIRD", "BIRDS", "HERB", "HERBS", "SHED"),
    ),
    CategorySpec(
        "Home Decor",
        ("SIGN", "SIGNS", "DOORSIGN", "PLAQUE", "FRAME", "FRAMES", "PHOTOFRAME", "CLOCK", "CLOCKS", "CUSHION",
         "CUSHIONS", "HANGER", "HANGERS", "HOOK", "HOOKS", "MIRROR", "DOORMAT", "DOORSTOP", "KNOB", "KNOBS",
         "DRAWERKNOB", "DRAWER", "DRAWERS", "CABINET", "SHELF", "SHELVING", "VASE", "ORNAMENT", "GARLAND", "TILE",
         "CHALKBOARD", "BLACKBOARD", "BLACK BOARD", "STORAGE", "BOX", "BOXES", "BASKET", "WICKER", "PHOTO", "ALBUM",
         "THROW", "QUILT", "BLANKET", "HOT WATER BOTTLE", "WARMER", "RACK", "MAGNET", "MAGNETS", "TIDY", "CURTAIN",
         "MOBILE", "ART FLOWER", "ARTIFICIAL FLOWER", "ARTIIFCIAL FLOWER", "PICTURE", "CANVAS", "PRINT", "BIN",
         "CHEST", "TRINKET", "TABLE", "STOOL", "CHAIR", "POUFFE", "SEAT", "LETTERS", "SOAP HOLDER", "SPONGE", "TOWEL", "FLANNEL",
         "MAT", "FILLER PAD", "MONEY BANK", "PIGGY BANK", "RADIO", "WALL ART", "BATHROOM", "DECORATION",
         "DECORATIONS"),
        "Signs, frames, clocks, cushions, hooks and storage for the home.",
        icon="house",
        featured=True,
        themes=("HEART", "HEARTS", "HOME", "HANGING", "WALL", "BUTTERFLY", "STAR", "FLOWER", "ROSE", "WOOD",
                "WOODEN", "ZINC"),
        children=(
            CategorySpec(
                "Signs & Plaques",
                ("SIGN", "SIGNS", "DOORSIGN", "PLAQUE", "TILE", "CHALKBOARD", "BLACKBOARD", "BLACK BOARD"),
                "Metal signs and plaques with something to say.",
                icon="house",
            ),
            CategorySpec(
                "Frames & Clocks",
                ("FRAME", "FRAMES", "PHOTOFRAME", "CLOCK", "CLOCKS", "MIRROR", "PHOTO", "ALBUM", "PICTURE", "CANVAS",
                 "PRINT", "WALL ART"),
                "Photo frames, clocks, mirrors and pictures.",
                icon="house",
            ),
            CategorySpec(
                "Cushions & Textiles",
                ("CUSHION", "CUSHIONS", "THROW", "QUILT", "BLANKET", "DOORMAT", "HOT WATER BOTTLE", "WARMER",
                 "CURTAIN", "TOWEL", "FLANNEL", "FILLER PAD", "MAT"),
                "Cushions, throws, curtains, doormats and hot water bottles.",
                icon="house",
            ),
            CategorySpec(
                "Hooks & Storage",
                ("HANGER", "HANGERS", "HOOK", "HOOKS", "KNOB", "KNOBS", "DRAWERKNOB", "DRAWER", "DRAWERS", "CABINET",
                 "SHELF", "SHELVING", "STORAGE", "BOX", "BOXES", "BASKET", "RACK", "TIDY", "BIN", "CHEST", "TRINKET"),
                "Hooks, hangers, knobs, boxes and baskets.",
                icon="house",
            ),
        ),
    ),
)  # fmt: skip

FALLBACK = CategorySpec("Other Gifts", (), "Little gifts that fit no other shelf.", icon="gift")


def _words(description: str) -> str:
    # Padded with spaces, so that a keyword matches whole words only: "TIN" is not "TINY".
    return " " + " ".join(re.sub(r"[^A-Z0-9'-]+", " ", description.upper()).split()) + " "


def category_path_for(*, description: str) -> tuple[CategorySpec, ...]:
    """(top level,) or (top level, subcategory) for a product with this description."""
    words = _words(description)
    root = next((spec for spec in CATEGORY_TREE if spec.matches(words)), None)
    root = root or next((spec for spec in CATEGORY_TREE if spec.matches(words, themes=True)), FALLBACK)
    child = next((spec for spec in root.children if spec.matches(words)), None)
    return (root,) if child is None else (root, child)
