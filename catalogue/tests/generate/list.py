"""Writes an image-only scanned catalogue in the free-text list layout ("Code article : …
Prix : … € HT"), slightly skewed and noisy, with its ground truth: X.pdf and X.json."""
import json, random, sys
from PIL import Image, ImageDraw, ImageFilter, ImageFont

random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 7)
out = sys.argv[1]
W, H = 2480, 3508
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
title, small, body, name_font = (ImageFont.truetype(BOLD, 70), ImageFont.truetype(FONT, 36),
                                 ImageFont.truetype(SERIF, 38), ImageFont.truetype(BOLD, 48))
things = ["Nappe", "Carafe", "Plateau", "Théière", "Corbeille à pain", "Ramequin", "Cocotte",
          "Moulin à poivre", "Saladier", "Planche à découper", "Couteau d'office", "Tablier"]
stuff = ["inox 18/10", "en grès", "en chêne massif", "en lin lavé", "émaillée", "en verre trempé"]
sizes = ["5,5 L", "Ø 24 cm", "lot de 6", "30 x 20 cm", "1,2 L", "50 cl"]
notes = ["Fabriqué en France.", "Garantie 5 ans.", "Passe au lave-vaisselle.",
         "Compatible tous feux dont induction.", "Livré avec couvercle.",
         "Usage intensif en restauration.", "Existe en 4 coloris."]

def reference(i):
    kind = i % 3
    if kind == 0:
        return f"{random.choice(['BR', 'KO', 'LM', 'AT'])}-{random.randint(1000, 9999)}"
    if kind == 1:
        return str(random.randint(10000, 99999))
    return f"{random.choice(['CF', 'PX'])}{random.randint(100000, 999999)}"

def price(cents):
    euros, c = divmod(cents, 100)
    e = f"{euros:,}".replace(",", "\u202f") if euros >= 1000 else str(euros)
    return f"{e},{c:02d} € HT"

products, pages = [], []
n = 0
for page in (1, 2):
    img = Image.new("L", (W, H), 255)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, W, 190], fill=40)
    d.text((80, 55), "Arts de la table", font=title, fill=255)
    d.text((W - 520, 80), f"Tarifs 2027 — p. {page}", font=small, fill=230)
    y = 320
    for k in range(7):
        n += 1
        name = f"{random.choice(things)} {random.choice(stuff)} {random.choice(sizes)}"
        ref = reference(n)
        cents = random.choice([350, 990, 1250, 2490, 4800, 12900, 37300, 123450, 8990])
        desc = " ".join(random.sample(notes, 2))
        d.text((160, y), name, font=name_font, fill=0)
        y += 75
        if k % 2 == 0:
            d.text((160, y), f"Code article : {ref}", font=small, fill=20)
            d.text((1500, y), f"Prix : {price(cents)}", font=small, fill=20)
            y += 60
            d.text((160, y), desc, font=body, fill=30)
            y += 60
        else:
            d.text((160, y), f"Code article : {ref}", font=small, fill=20)
            y += 60
            d.text((160, y), desc, font=body, fill=30)
            y += 60
            d.text((160, y), f"Prix : {price(cents)}", font=small, fill=20)
            y += 60
        d.line([160, y + 30, W - 160, y + 30], fill=170, width=3)
        y += 110
        products.append({"name": name, "reference": ref, "price_eur": cents / 100,
                         "description": desc, "page": page})
    for _ in range(2500):
        x, yy = random.randrange(W), random.randrange(H)
        d.point((x, yy), fill=random.randint(120, 220))
    img = img.rotate(random.uniform(-0.7, 0.7), resample=Image.BICUBIC, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    pages.append(img.convert("RGB"))
pages[0].save(out + ".pdf", save_all=True, append_images=pages[1:], resolution=300)
json.dump({"title": "Arts de la table", "layout": "list", "pages": 2, "products": products},
          open(out + ".json", "w"), ensure_ascii=False, indent=1)
