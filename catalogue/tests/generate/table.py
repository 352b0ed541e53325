"""Writes an image-only scanned price list as a table whose columns are "Désignation | Réf. |
Prix unitaire HT" (the reference in the middle), skewed and noisy, with its ground truth."""
import json, random, sys
from PIL import Image, ImageDraw, ImageFilter, ImageFont

random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 5)
out = sys.argv[1]
W, H = 2480, 3508
F = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
B = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
title, small, body, head = (ImageFont.truetype(B, 70), ImageFont.truetype(F, 34),
                            ImageFont.truetype(F, 36), ImageFont.truetype(B, 38))
things = ["Chaise bistrot", "Table pliante", "Parasol", "Transat", "Jardinière", "Tabouret",
          "Banc", "Lanterne", "Coussin", "Nappe enduite"]
stuff = ["en teck", "en acier", "en résine", "en rotin", "en aluminium"]
notes = ["Traité anti-UV.", "Empilable.", "Garantie 3 ans.", "Livré monté.", "Coloris au choix."]
products, pages, n = [], [], 0
for page in (1, 2):
    img = Image.new("L", (W, H), 255)
    d = ImageDraw.Draw(img)
    d.text((90, 60), "Mobilier d'extérieur", font=title, fill=0)
    y = 260
    d.rectangle([80, y, W - 80, y + 70], fill=215)
    d.text((110, y + 15), "Désignation", font=head, fill=0)
    d.text((1500, y + 15), "Réf.", font=head, fill=0)
    d.text((1960, y + 15), "Prix unitaire HT", font=head, fill=0)
    y += 90
    for k in range(14):
        n += 1
        name = f"{random.choice(things)} {random.choice(stuff)}"
        desc = random.choice(notes)
        ref = f"{random.randint(100, 999)}.{random.randint(10, 99)}{random.choice('ABC')}"
        cents = random.choice([1590, 4990, 12900, 24950, 89900, 149000])
        euros, c = divmod(cents, 100)
        e = f"{euros:,}".replace(",", " ")
        d.text((110, y), f"{name} – {desc}", font=body, fill=0)
        d.text((1500, y), ref, font=small, fill=0)
        d.text((1960, y), f"{e},{c:02d} €", font=body, fill=0)
        d.line([80, y + 70, W - 80, y + 70], fill=160, width=2)
        y += 100
        products.append({"name": name, "reference": ref, "price_eur": cents / 100,
                         "description": desc, "page": page})
    for _ in range(2500):
        d.point((random.randrange(W), random.randrange(H)), fill=random.randint(100, 220))
    img = img.rotate(random.uniform(-0.6, 0.6), resample=Image.BICUBIC, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(0.5))
    pages.append(img.convert("RGB"))
pages[0].save(out + ".pdf", save_all=True, append_images=pages[1:], resolution=300)
json.dump({"title": "Mobilier d'extérieur", "layout": "table", "pages": 2, "products": products},
          open(out + ".json", "w"), ensure_ascii=False, indent=1)
