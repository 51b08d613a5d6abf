"""The 366-pass run's learning curve, kept as data: what the full 3,280-pass schedule is set
beside in results/paper/.

results/paper/ at commit 5d34e68 came from `tox -e paper` on a fresh clone of ba1af50, when the
paper suite compressed Burda et al.'s schedule to 366 passes (stages 1, 1, 1, 3, 9, 27, 81, 243:
the paper's first eight learning rates) over train[0:50000]. Its run folder was not kept (run
folders stay out of git); these values are read from the vector paths of that commit's
results/paper/curves.pdf, to about 0.01 nat, and its end agrees with that commit's table.csv
(test ELBO 93.49). Each row: passes, −ELBO on the 10,000 test images, −IWAE bound with k = 50
on the first 1,000 test images. Its k = 5000 bound at the end was 89.18 ± 0.24.
"""

STAGES = (1, 1, 1, 3, 9, 27, 81, 243)
TRAIN_IMAGES = 50_000
FINAL_NLL = 89.18  # k = 5000, the 10,000 test images
CURVE = (  # (passes, −ELBO, −IWAE bound at k = 50), in nats
    (10, 107.41, 103.10), (20, 102.46, 98.40), (30, 100.71, 96.38), (40, 99.46, 95.08),
    (50, 98.25, 94.00), (60, 97.65, 93.41), (70, 97.05, 92.88), (80, 96.74, 92.44),
    (90, 96.56, 92.19), (100, 96.14, 91.94), (110, 95.99, 91.65), (120, 95.64, 91.29),
    (130, 95.32, 91.06), (140, 94.98, 90.89), (150, 95.07, 90.91), (160, 94.98, 90.72),
    (170, 94.83, 90.68), (180, 94.67, 90.48), (190, 94.53, 90.39), (200, 94.51, 90.27),
    (210, 94.50, 90.24), (220, 94.50, 90.23), (230, 94.27, 90.08), (240, 94.24, 89.99),
    (250, 94.06, 89.86), (260, 93.95, 89.82), (270, 93.97, 89.83), (280, 93.92, 89.70),
    (290, 93.82, 89.68), (300, 93.80, 89.59), (310, 93.70, 89.57), (320, 93.71, 89.49),
    (330, 93.64, 89.44), (340, 93.55, 89.33), (350, 93.69, 89.36), (360, 93.49, 89.25),
    (366, 93.49, 89.24),
)
